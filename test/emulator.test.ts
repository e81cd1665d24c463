// Kling emulator over real HTTP: the happy path renders a real MP4, every documented validation rule
// is enforced with Kling's status and code, auth uses CometAPI's envelope, and TTS feeds audio_id.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KlingEmulator, startEmulator } from '../src/kling/emulator/server.js';
import {
  API_KEY,
  api,
  ESPEAK,
  FFMPEG,
  FFPROBE,
  type Fixtures,
  type LocalServer,
  makeFixtures,
  probeStreams,
  startFileServer,
  startTestEmulator,
  waitFor,
} from './emulator-helpers.js';

const CREATE = '/kling/v1/videos/avatar/image2video';
const TTS = '/kling/v1/audio/tts';

let dir: string;
let fx: Fixtures;
let cdn: LocalServer;
let emu: KlingEmulator;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kling-emu-'));
  fx = await makeFixtures(dir);
  cdn = await startFileServer(dir);
  emu = await startTestEmulator(dir, { espeakPath: ESPEAK, seed: 7 });
});

afterAll(async () => {
  await emu?.close();
  await cdn?.close();
  await rm(dir, { recursive: true, force: true });
});

const valid = (extra: Record<string, unknown> = {}) => ({
  image: fx.face.toString('base64'),
  sound_file: `${cdn.url}/voice.mp3`,
  prompt: 'Speaks calmly to the camera',
  mode: 'std',
  ...extra,
});

async function finished(id: string) {
  return waitFor(async () => {
    const res = await api(emu.url, `${CREATE}/${encodeURIComponent(id)}`);
    const status = res.json?.data?.task_status;
    return status === 'succeed' || status === 'failed' ? res : undefined;
  });
}

describe('avatar task happy path', () => {
  it('creates, goes through submitted and processing, and serves a real MP4 matching the audio', async () => {
    const created = await api(emu.url, CREATE, { body: valid({ external_task_id: 'happy-1' }) });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ code: 0, message: 'SUCCEED', data: { task_status: 'submitted' } });
    expect(created.json.request_id).toEqual(expect.any(String));
    expect(created.json.data.task_id).toMatch(/^\d{16,}$/);
    expect(created.json.data.task_info).toEqual({ external_task_id: 'happy-1' });
    expect(created.json.data.created_at).toBeGreaterThan(1.6e12);
    const taskId: string = created.json.data.task_id;

    const processing = await waitFor(async () => {
      const res = await api(emu.url, `${CREATE}/${taskId}`);
      return res.json.data.task_status === 'processing' ? res : undefined;
    });
    expect(processing.json.data.task_result).toEqual({});

    const done = await finished(taskId);
    expect(done.status).toBe(200);
    expect(done.json.code).toBe(0);
    const data = done.json.data;
    expect(data.task_status).toBe('succeed');
    expect(data.task_status_msg).toBe('');
    expect(Number(data.final_unit_deduction)).toBeGreaterThan(0);
    expect(data.updated_at).toBeGreaterThanOrEqual(data.created_at + 250);
    const [video] = data.task_result.videos;
    expect(video.id).toEqual(expect.any(String));
    expect(typeof video.duration).toBe('string');
    expect(Math.abs(Number(video.duration) - fx.voiceSeconds)).toBeLessThan(0.1);

    const download = await fetch(video.url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('video/mp4');
    const file = path.join(dir, 'downloaded.mp4');
    await writeFile(file, Buffer.from(await download.arrayBuffer()));
    const probe = await probeStreams(file);
    expect(probe.kinds.sort()).toEqual(['audio', 'video']);
    expect(Math.abs(probe.duration - fx.voiceSeconds)).toBeLessThan(0.1);
    expect(emu.tasks().find((t) => t.taskId === taskId)).toMatchObject({ status: 'succeed', mode: 'std' });
  });

  it('answers a query by external_task_id and accepts an image URL, a PNG and base64 audio', async () => {
    const created = await api(emu.url, CREATE, {
      body: valid({
        image: `${cdn.url}/face.png`,
        sound_file: fx.voice.toString('base64'),
        mode: 'pro',
        external_task_id: 'by-external/1',
      }),
    });
    expect(created.status).toBe(200);
    const byExternal = await api(emu.url, `${CREATE}/${encodeURIComponent('by-external/1')}`);
    expect(byExternal.status).toBe(200);
    expect(byExternal.json.data.task_id).toBe(created.json.data.task_id);
    expect(byExternal.json.data.task_info.external_task_id).toBe('by-external/1');
    const done = await finished('by-external/1');
    expect(done.json.data.task_status).toBe('succeed');
    expect(emu.tasks().find((t) => t.externalTaskId === 'by-external/1')?.mode).toBe('pro');
  });

  it('answers 404 with code 1203 for an unknown task', async () => {
    const res = await api(emu.url, `${CREATE}/123456789`);
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ code: 1203, data: null });
  });
});

describe('create validation', () => {
  const cases: Array<[string, () => Record<string, unknown>, number, RegExp]> = [
    ['both audio fields', () => valid({ audio_id: '123' }), 1201, /both/],
    ['neither audio field', () => valid({ sound_file: undefined }), 1200, /audio_id or sound_file/],
    ['missing image', () => valid({ image: undefined }), 1200, /image is required/],
    [
      'a data: prefix',
      () => valid({ image: `data:image/jpeg;base64,${fx.face.toString('base64')}` }),
      1201,
      /data:/,
    ],
    ['a 299 px side', () => valid({ image: fx.narrow.toString('base64') }), 1201, /300 px/],
    ['a 3:1 image', () => valid({ image: fx.wide.toString('base64') }), 1201, /aspect/],
    ['a non-image', () => valid({ image: fx.voice.toString('base64') }), 1201, /format/],
    ['61 s of audio', () => valid({ sound_file: fx.longVoice.toString('base64') }), 1201, /duration/],
    ['1 s of audio', () => valid({ sound_file: fx.shortVoice.toString('base64') }), 1201, /duration/],
    ['audio that is not audio', () => valid({ sound_file: fx.face.toString('base64') }), 1201, /format/],
    ['an unknown audio_id', () => valid({ sound_file: undefined, audio_id: '42' }), 1201, /audio_id/],
    ['a missing prompt', () => valid({ prompt: undefined }), 1200, /prompt is required/],
    ['a 2501-char prompt', () => valid({ prompt: 'a'.repeat(2501) }), 1201, /2500/],
    ['a bad mode', () => valid({ mode: 'ultra' }), 1201, /mode/],
    ['a bad callback_url', () => valid({ callback_url: 'ftp://x.example/cb' }), 1201, /callback_url/],
    ['a non-string prompt', () => valid({ prompt: 12 }), 1201, /prompt must be a string/],
    ['an unreachable image URL', () => valid({ image: `${cdn.url}/missing.jpg` }), 1201, /download/],
  ];

  it.each(cases)('rejects %s with HTTP 400 and the right code', async (_name, body, code, message) => {
    const before = emu.tasks().length;
    const res = await api(emu.url, CREATE, { body: body() });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code, data: null });
    expect(res.json.message).toMatch(message);
    expect(res.json.request_id).toEqual(expect.any(String));
    expect(emu.tasks().length).toBe(before);
  });

  it('rejects a duplicate external_task_id and counts both attempts', async () => {
    const first = await api(emu.url, CREATE, { body: valid({ external_task_id: 'dup-1' }) });
    expect(first.status).toBe(200);
    const second = await api(emu.url, CREATE, { body: valid({ external_task_id: 'dup-1' }) });
    expect(second.status).toBe(400);
    expect(second.json).toMatchObject({ code: 1201, message: expect.stringMatching(/external_task_id/) });
    expect(emu.tasks().filter((t) => t.externalTaskId === 'dup-1')).toHaveLength(1);
    expect(emu.stats().createsByExternalId['dup-1']).toBe(2);
  });

  it('keeps external_task_id unique even for simultaneous creates', async () => {
    const both = await Promise.all([
      api(emu.url, CREATE, { body: valid({ external_task_id: 'race-1' }) }),
      api(emu.url, CREATE, { body: valid({ external_task_id: 'race-1' }) }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 400]);
    expect(emu.tasks().filter((t) => t.externalTaskId === 'race-1')).toHaveLength(1);
  });

  it('answers 413 to an oversized chunked upload without a Content-Length', async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(65);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 22) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(`${emu.url}${CREATE}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: number }).code).toBe(1200);
  });

  it('answers 400/1200 to a body that is not JSON and 413 to one above 20 MB', async () => {
    const garbled = await api(emu.url, CREATE, { rawBody: '{"image": ' });
    expect(garbled.status).toBe(400);
    expect(garbled.json.code).toBe(1200);
    const huge = await api(emu.url, CREATE, {
      rawBody: JSON.stringify({ image: 'A'.repeat(21 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
  });

  it('accepts a request without prompt when requirePrompt is false', async () => {
    const lenient = await startEmulator({
      workDir: path.join(dir, 'lenient'),
      ffmpegPath: FFMPEG,
      ffprobePath: FFPROBE,
      requirePrompt: false,
      maxAudioSeconds: 300,
    });
    try {
      const res = await api(lenient.url, CREATE, {
        key: 'any-token',
        body: valid({ prompt: undefined, sound_file: fx.longVoice.toString('base64') }),
      });
      expect(res.status).toBe(200);
      expect(lenient.tasks()[0]?.audioSeconds).toBeGreaterThan(60);
    } finally {
      await lenient.close();
    }
  });
});

describe('load-bench mode (renderVideos: false)', () => {
  it('renders once and gives every task that one real video', async () => {
    const bench = await startTestEmulator(path.join(dir, 'bench-mode'), { renderVideos: false });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await api(bench.url, CREATE, { body: valid() });
        expect(res.status).toBe(200);
        ids.push(res.json.data.task_id);
      }
      const urls = await Promise.all(
        ids.map((id) =>
          waitFor(async () => {
            const res = await api(bench.url, `${CREATE}/${id}`);
            return res.json.data.task_status === 'succeed'
              ? (res.json.data.task_result.videos[0].url as string)
              : undefined;
          }),
        ),
      );
      expect(new Set(urls).size).toBe(1);
      const download = await fetch(urls[0] as string);
      expect(download.status).toBe(200);
      const file = path.join(dir, 'bench-mode.mp4');
      await writeFile(file, Buffer.from(await download.arrayBuffer()));
      expect((await probeStreams(file)).kinds.sort()).toEqual(['audio', 'video']);
    } finally {
      await bench.close();
    }
  });
});

describe('authentication', () => {
  it.each([
    ['missing', null],
    ['wrong', 'not-the-key'],
  ])('answers 401 in CometAPI format when the key is %s', async (_name, key) => {
    const before = emu.stats().creates;
    const res = await api(emu.url, CREATE, { key, body: valid() });
    expect(res.status).toBe(401);
    expect(res.json.error).toMatchObject({ type: 'comet_api_error', param: '', code: '' });
    expect(res.json.error.message).toMatch(/^Invalid token \(request id: \w+\)$/);
    expect(emu.stats().creates).toBe(before);
    const query = await api(emu.url, `${CREATE}/1`, { key });
    expect(query.status).toBe(401);
  });
});

describe('TTS', () => {
  it('speaks text with espeak-ng and the audio_id drives an avatar task', async () => {
    const res = await api(emu.url, TTS, {
      body: {
        text: 'Hello there, this is the Kling emulator speaking, slowly and clearly, for a test.',
        voice_id: 'oversea_male1',
        voice_language: 'en',
        // Out of range on purpose: Kling clamps speeds (to 0.8 here) instead of rejecting them.
        voice_speed: 0.1,
      },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ code: 0, data: { task_status: 'succeed', task_status_msg: '' } });
    const [audio] = res.json.data.task_result.audios;
    expect(Number(audio.duration)).toBeGreaterThan(0);
    const mp3 = await fetch(audio.url);
    expect(mp3.headers.get('content-type')).toBe('audio/mpeg');
    const file = path.join(dir, 'tts.mp3');
    await writeFile(file, Buffer.from(await mp3.arrayBuffer()));
    const probe = await probeStreams(file);
    expect(probe.kinds).toEqual(['audio']);
    expect(probe.duration).toBeGreaterThan(2);

    const again = await api(emu.url, `${TTS}/${res.json.data.task_id}`);
    expect(again.json.data).toEqual(res.json.data);

    const created = await api(emu.url, CREATE, {
      body: valid({ sound_file: undefined, audio_id: audio.id }),
    });
    expect(created.status).toBe(200);
    const done = await finished(created.json.data.task_id);
    expect(done.json.data.task_status).toBe('succeed');
    expect(Math.abs(Number(done.json.data.task_result.videos[0].duration) - probe.duration)).toBeLessThan(
      0.1,
    );
  });

  it('wraps an unknown voice for the language the way CometAPI does', async () => {
    const res = await api(emu.url, TTS, {
      body: { text: 'Hi', voice_id: 'oversea_male1', voice_language: 'zh' },
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      message: 'Voice id not found',
      data: { message: 'Voice id not found', data: { code: 1201, message: 'Voice id not found' } },
    });
    expect(res.json.data.data.request_id).toEqual(expect.any(String));
  });

  it('rejects text over 1000 characters and a missing voice_id', async () => {
    const long = await api(emu.url, TTS, {
      body: { text: 'x'.repeat(1001), voice_id: 'uk_man2', voice_language: 'en' },
    });
    expect(long.status).toBe(400);
    expect(long.json.code).toBe(1201);
    const noVoice = await api(emu.url, TTS, { body: { text: 'hello', voice_language: 'en' } });
    expect(noVoice.json.code).toBe(1200);
    expect((await api(emu.url, `${TTS}/999`)).status).toBe(404);
  });

  it('falls back to a tone when espeak-ng is unavailable', async () => {
    const noSpeech = await startEmulator({
      workDir: path.join(dir, 'no-espeak'),
      ffmpegPath: FFMPEG,
      ffprobePath: FFPROBE,
      espeakPath: path.join(dir, 'no-such-espeak'),
    });
    try {
      const text = 'This sentence has roughly seventy characters in it, give or take some.';
      const res = await api(noSpeech.url, TTS, {
        key: 'x',
        body: { text, voice_id: 'uk_man2', voice_language: 'en' },
      });
      expect(res.status).toBe(200);
      expect(Number(res.json.data.task_result.audios[0].duration)).toBeCloseTo(text.length / 14, 0);
    } finally {
      await noSpeech.close();
    }
  });
});

describe('file serving', () => {
  it('serves only files it issued and cannot be walked out of its directory', async () => {
    for (const route of [
      '/emulator/files/..%2F..%2Fetc%2Fpasswd',
      '/emulator/files/%2e%2e%2fwork',
      '/emulator/files/../server.ts',
      '/emulator/files/00000000-0000-0000-0000-000000000000.mp4',
    ]) {
      const res = await fetch(`${emu.url}${route}`);
      expect(res.status).toBe(404);
    }
  });

  it('answers unknown routes with a CometAPI 404 and wrong methods with 404/1202', async () => {
    const unknown = await api(emu.url, '/kling/v1/videos/nothing', { body: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.type).toBe('comet_api_error');
    const wrong = await api(emu.url, CREATE, { method: 'GET' });
    expect(wrong.status).toBe(404);
    expect(wrong.json.code).toBe(1202);
  });
});
