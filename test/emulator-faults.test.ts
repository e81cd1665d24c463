// Kling emulator fault injection: every probabilistic fault is observable at rate 1, a faulted create
// never creates a task, createThenFail creates exactly one, and the dice are reproducible by seed.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type KlingEmulator, startEmulator } from '../src/kling/emulator/server.js';
import {
  API_KEY,
  api,
  FFMPEG,
  FFPROBE,
  type Fixtures,
  makeFixtures,
  startCallbackReceiver,
  startTestEmulator,
  waitFor,
} from './emulator-helpers.js';

const CREATE = '/kling/v1/videos/avatar/image2video';
const TTS = '/kling/v1/audio/tts';

let dir: string;
let fx: Fixtures;
let emu: KlingEmulator;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kling-emu-faults-'));
  fx = await makeFixtures(dir);
  emu = await startTestEmulator(dir, { seed: 3 });
});

afterEach(() => emu.resetFaults());

afterAll(async () => {
  await emu?.close();
  await rm(dir, { recursive: true, force: true });
});

const body = (extra: Record<string, unknown> = {}) => ({
  image: fx.face.toString('base64'),
  sound_file: fx.voice.toString('base64'),
  prompt: 'Talks',
  ...extra,
});

/** The three API request kinds a fault applies to. */
const requests: Array<[string, () => Promise<Response>]> = [
  ['create', () => raw(CREATE, body())],
  ['query', () => raw(`${CREATE}/does-not-matter`)],
  ['tts', () => raw(TTS, { text: 'hello there', voice_id: 'uk_man2', voice_language: 'en' })],
];

function raw(route: string, json?: unknown): Promise<Response> {
  return fetch(`${emu.url}${route}`, {
    method: json === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
}

describe.each(requests)('probabilistic faults on %s', (_kind, send) => {
  it('429 with Kling code 1302 and Retry-After', async () => {
    emu.setFaults({ http429Rate: 1 });
    const before = emu.tasks().length;
    const res = await send();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({ code: 1302, message: 'Request rate too high', data: null });
    expect(emu.tasks().length).toBe(before);
  });

  it('5xx with the matching Kling 500x code', async () => {
    emu.setFaults({ http5xxRate: 1 });
    const expected: Record<number, number> = { 500: 5000, 503: 5001, 504: 5002 };
    for (let i = 0; i < 4; i++) {
      const res = await send();
      expect(Object.keys(expected)).toContain(String(res.status));
      expect(((await res.json()) as { code: number }).code).toBe(expected[res.status]);
    }
  });

  it('timeout: holds the request, then drops the connection', async () => {
    emu.setFaults({ timeoutRate: 1, timeoutMs: 150 });
    const started = Date.now();
    await expect(send()).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('malformed: 200 with truncated JSON', async () => {
    emu.setFaults({ malformedJsonRate: 1 });
    const res = await send();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/json/);
    const text = await res.text();
    expect(text.startsWith('{"code":0')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('html: 200 with a login page', async () => {
    emu.setFaults({ htmlRate: 1 });
    const res = await send();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toMatch(/<html[\s\S]*Sign in/);
  });
});

describe('money safety', () => {
  it('never creates a task for a faulted create', async () => {
    const before = emu.stats();
    const tasksBefore = emu.tasks().length;
    for (const fault of ['http429Rate', 'http5xxRate', 'malformedJsonRate', 'htmlRate'] as const) {
      emu.resetFaults();
      emu.setFaults({ [fault]: 1 });
      await raw(CREATE, body({ external_task_id: 'retry-me' })).then((r) => r.text());
    }
    const after = emu.stats();
    expect(emu.tasks().length).toBe(tasksBefore);
    expect(after.creates).toBe(before.creates);
    expect(after.rejectedCreates - before.rejectedCreates).toBe(4);
    expect(after.createsByExternalId['retry-me']).toBe(4);
  });

  it('createThenFail creates exactly one task although the client sees a 500', async () => {
    emu.setFaults({ createThenFailRate: 1 });
    const before = emu.tasks().length;
    const res = await api(emu.url, CREATE, { body: body({ external_task_id: 'ctf-1' }) });
    expect(res.status).toBe(500);
    expect(res.json.code).toBe(5000);
    expect(emu.tasks().length).toBe(before + 1);
    expect(emu.stats().faultsInjected.createThenFail).toBe(1);
    emu.resetFaults();
    const found = await waitFor(async () => {
      const q = await api(emu.url, `${CREATE}/ctf-1`);
      return q.json.data.task_status === 'succeed' ? q : undefined;
    });
    expect(found.json.data.task_info.external_task_id).toBe('ctf-1');
    const resubmit = await api(emu.url, CREATE, { body: body({ external_task_id: 'ctf-1' }) });
    expect(resubmit.status).toBe(400);
    expect(emu.tasks().filter((t) => t.externalTaskId === 'ctf-1')).toHaveLength(1);
  });

  it('nextCreateError answers exactly once with the given status and body, creating nothing', async () => {
    const custom = { error: { message: 'insufficient quota', type: 'comet_api_error', param: '', code: '' } };
    emu.setFaults({ nextCreateError: { status: 402, body: custom } });
    const before = emu.tasks().length;
    const first = await api(emu.url, CREATE, { body: body() });
    expect(first.status).toBe(402);
    expect(first.json).toEqual(custom);
    expect(emu.tasks().length).toBe(before);
    const second = await api(emu.url, CREATE, { body: body() });
    expect(second.status).toBe(200);
  });
});

describe('forced faults', () => {
  it('forceNext gives the next requests those faults in order, then the rates apply again', async () => {
    emu.setFaults({ forceNext: ['429', '5xx'] });
    const before = emu.stats().faultsInjected;
    expect((await api(emu.url, CREATE, { body: body() })).status).toBe(429);
    expect((await api(emu.url, CREATE, { body: body() })).status).toBeGreaterThanOrEqual(500);
    expect((await api(emu.url, CREATE, { body: body() })).status).toBe(200);
    const after = emu.stats().faultsInjected;
    expect((after['429'] ?? 0) - (before['429'] ?? 0)).toBe(1);
    expect((after['5xx'] ?? 0) - (before['5xx'] ?? 0)).toBe(1);
  });
});

describe('seeded dice', () => {
  it('replays the same fault sequence for the same seed', async () => {
    const run = async () => {
      const e = await startEmulator({
        workDir: path.join(dir, 'seeded'),
        ffmpegPath: FFMPEG,
        ffprobePath: FFPROBE,
        seed: 42,
      });
      try {
        e.setFaults({ http429Rate: 0.5 });
        const seen: number[] = [];
        for (let i = 0; i < 12; i++) seen.push((await api(e.url, `${CREATE}/x`, { key: 'k' })).status);
        return seen;
      } finally {
        await e.close();
      }
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first).toContain(429);
    expect(first).toContain(404);
  });
});

describe('control routes', () => {
  it('sets and resets faults and reports stats over HTTP', async () => {
    const set = await fetch(`${emu.url}/emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ http429Rate: 1 }),
    });
    expect(set.status).toBe(200);
    expect(((await set.json()) as { http429Rate: number }).http429Rate).toBe(1);
    expect((await raw(`${CREATE}/1`)).status).toBe(429);
    const bad = await fetch(`${emu.url}/emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ nope: 1 }),
    });
    expect(bad.status).toBe(400);
    await fetch(`${emu.url}/emulator/faults`, { method: 'DELETE' });
    expect((await raw(`${CREATE}/1`)).status).toBe(404);
    const stats = (await (await fetch(`${emu.url}/emulator/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({
      queries: expect.any(Number),
      faultsInjected: { '429': expect.any(Number) },
    });
    expect(Array.isArray(stats.tasks)).toBe(true);
  });
});

describe('close()', () => {
  it('kills the running render, stops timers and callbacks, and frees the port', async () => {
    const workDir = path.join(dir, `closing-${Date.now()}`);
    const hook = await startCallbackReceiver();
    const e = await startEmulator({
      workDir,
      ffmpegPath: FFMPEG,
      ffprobePath: FFPROBE,
      maxAudioSeconds: 300,
      submittedMs: 600,
      processingMs: 200,
    });
    try {
      const created = await api(e.url, CREATE, {
        key: 'k',
        body: body({ sound_file: fx.longVoice.toString('base64'), callback_url: hook.url }),
      });
      expect(created.status).toBe(200);
      const ffmpegRunning = async () => {
        const { stdout } = await promisify(execFile)('ps', ['-eo', 'args']).catch(() => ({ stdout: '' }));
        return stdout.split('\n').some((line) => line.includes('ffmpeg') && line.includes(workDir));
      };
      await waitFor(async () => ((await ffmpegRunning()) ? true : undefined), 5_000);
      await waitFor(() => (hook.received.length > 0 ? true : undefined));
      const seenAtClose = hook.received.map((r) => r.body.task_status);
      const closing = Date.now();
      await e.close();
      expect(Date.now() - closing).toBeLessThan(1_000);
      expect(await ffmpegRunning()).toBe(false);
      // Long enough for the submitted→processing timer to have fired had close() not cleared it.
      await new Promise((r) => setTimeout(r, 900));
      expect(hook.received.map((r) => r.body.task_status)).toEqual(seenAtClose);
      expect(seenAtClose).not.toContain('succeed');
      await expect(fetch(`${e.url}/emulator/stats`)).rejects.toThrow();
    } finally {
      await e.close();
      await hook.close();
    }
  });
});
