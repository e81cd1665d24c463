// KlingClient against the Kling emulator over real HTTP: real media in (sharp JPEG, ffmpeg MP3), a real
// MP4 out, TTS feeding audio_id, and the create policy meeting injected faults end to end.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { KlingClient, KlingTask } from '../src/kling/client.js';
import { type KlingEmulator, startEmulator } from '../src/kling/emulator/server.js';
import { captureFailure, type TestClient, testClient } from './fakes/fake-cometapi.js';

const run = promisify(execFile);
const FFMPEG = '/usr/bin/ffmpeg';

let workDir: string;
let emulator: KlingEmulator;
let tc: TestClient;
let image: string;
let sound: string;

async function makeJpegBase64(): Promise<string> {
  const width = 512;
  const height = 640;
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    pixels[i * 3] = (i % width) / 2;
    pixels[i * 3 + 1] = Math.floor(i / width) / 3;
    pixels[i * 3 + 2] = 128;
  }
  const jpeg = await sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 80 })
    .toBuffer();
  return jpeg.toString('base64');
}

async function makeMp3Base64(dir: string): Promise<string> {
  const out = path.join(dir, 'voice.mp3');
  await run(FFMPEG, [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=330:duration=3',
    '-ac',
    '1',
    '-b:a',
    '64k',
    out,
  ]);
  return (await readFile(out)).toString('base64');
}

/** Polls with real (short) waits; the emulator renders in about half a second. */
async function waitForTerminal(client: KlingClient, id: string): Promise<KlingTask> {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const task = await client.getAvatarTask(id);
    seen.add(task.status);
    if (task.status === 'succeed' || task.status === 'failed') return task;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`task ${id} did not finish; saw ${[...seen].join(', ')}`);
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'kling-client-emulator-'));
  emulator = await startEmulator({
    workDir,
    ffmpegPath: FFMPEG,
    ffprobePath: '/usr/bin/ffprobe',
    submittedMs: 100,
    processingMs: 300,
    seed: 7,
  });
  [image, sound] = await Promise.all([makeJpegBase64(), makeMp3Base64(workDir)]);
  tc = testClient(emulator.url, { timeoutMs: 10_000, maxRetries: 2 });
});

afterAll(async () => {
  await tc?.close();
  await emulator?.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('KlingClient against the emulator', () => {
  test('creates with a base64 JPEG and MP3, polls to succeed, and the video downloads', async () => {
    const created = await tc.client.createAvatarTask({
      image,
      sound_file: sound,
      prompt: 'Speaks calmly to the camera',
      mode: 'std',
      external_task_id: 'emu-sound-1',
    });
    expect(created.status).toBe('submitted');
    expect(created.externalTaskId).toBe('emu-sound-1');

    const done = await waitForTerminal(tc.client, created.taskId);
    expect(done.status).toBe('succeed');
    const [video] = done.videos;
    expect(video?.durationSeconds).toBeGreaterThan(2.5);
    expect(video?.durationSeconds).toBeLessThan(4);
    const response = await fetch(video?.url ?? '');
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp'); // an MP4 container

    const byExternal = await tc.client.getAvatarTask('emu-sound-1');
    expect(byExternal.taskId).toBe(created.taskId);
  });

  test('speaks text, then creates with the returned audio_id', async () => {
    const audio = await tc.client.synthesizeSpeech({
      text: 'Hello there. This is the avatar bot speaking for a short test of the emulator.',
      voice_id: 'oversea_male1',
      voice_language: 'en',
      voice_speed: 1,
    });
    expect(audio.audioId).not.toBe('');
    expect(audio.durationSeconds).toBeGreaterThanOrEqual(2);

    const created = await tc.client.createAvatarTask({
      image,
      audio_id: audio.audioId,
      prompt: 'Friendly delivery',
      mode: 'pro',
      external_task_id: 'emu-tts-1',
    });
    const done = await waitForTerminal(tc.client, created.taskId);
    expect(done.status).toBe('succeed');
    expect(done.videos[0]?.durationSeconds).toBeCloseTo(audio.durationSeconds, 0);
  });

  test('an unknown voice is KLING_INVALID_REQUEST with the provider text', async () => {
    const error = await captureFailure(
      tc.client.synthesizeSpeech({
        text: 'Hello there, test.',
        voice_id: 'no_such_voice',
        voice_language: 'en',
        voice_speed: 1,
      }),
    );
    expect(error.code).toBe('KLING_INVALID_REQUEST');
    expect(error.params.detail).toMatch(/voice/i);
  });

  test('a create rejected with 1303 is retried and creates exactly one task', async () => {
    tc.sleeps.length = 0;
    emulator.setFaults({
      nextCreateError: {
        status: 429,
        body: { code: 1303, message: 'parallel task over resource pack limit', request_id: 'emu-1303' },
      },
    });
    const task = await tc.client.createAvatarTask({
      image,
      sound_file: sound,
      prompt: 'Calm',
      mode: 'std',
      external_task_id: 'emu-1303',
    });
    expect(task.status).toBe('submitted');
    expect(tc.sleeps).toEqual([1_000]);
    expect(emulator.stats().createsByExternalId['emu-1303']).toBe(2);
    expect(emulator.tasks().filter((t) => t.externalTaskId === 'emu-1303')).toHaveLength(1);
  });

  test('a create answered 500 after the task exists is ambiguous, not resent, and reconciles by external id', async () => {
    emulator.setFaults({ createThenFailRate: 1 });
    try {
      const error = await captureFailure(
        tc.client.createAvatarTask({
          image,
          sound_file: sound,
          prompt: 'Calm',
          mode: 'std',
          external_task_id: 'emu-ctf',
        }),
      );
      expect(error).toMatchObject({ code: 'KLING_UNAVAILABLE', ambiguous: true, klingCode: 5000 });
      expect(emulator.stats().createsByExternalId['emu-ctf']).toBe(1);
    } finally {
      emulator.resetFaults();
    }
    const found = await tc.client.getAvatarTask('emu-ctf');
    expect(found.externalTaskId).toBe('emu-ctf');
  });
});
