// The core end to end, in-process: real store, real Kling client over HTTP, the built-in emulator as
// the provider, real ffmpeg and sharp. Only the chat platform is replaced, by a recording adapter.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AttachmentRef, AvatarRequest } from '../src/core/types.js';
import { InputError } from '../src/errors.js';
import { RecordingAdapter } from './helpers/recording-adapter.js';
import { SAMPLE_FACE, SAMPLE_VOICE, startTestApp, type TestApp } from './helpers/test-app.js';

function fileRef(file: string): AttachmentRef {
  return { name: path.basename(file), source: file, fetch: () => readFile(file) };
}

let counter = 0;
function request_(overrides: Partial<AvatarRequest> = {}): AvatarRequest {
  counter += 1;
  return {
    idempotencyKey: `test:${Date.now()}:${counter}`,
    requester: { id: 'u1', displayName: 'Ada' },
    replyTo: { adapter: 'recording', address: { channel: 'c1' } },
    image: fileRef(SAMPLE_FACE),
    voice: fileRef(SAMPLE_VOICE),
    ...overrides,
  };
}

describe('core flow against the emulator', () => {
  let t: TestApp;
  let adapter: RecordingAdapter;

  beforeAll(async () => {
    t = await startTestApp();
    adapter = new RecordingAdapter();
    t.app.service.registerAdapter(adapter);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(() => {
    t.app.emulator?.resetFaults();
  });

  it('turns a photo and a voice note into a delivered video of the same length', async () => {
    const { jobId, duplicate } = await t.app.service.submit(request_());
    expect(duplicate).toBe(false);
    const final = await adapter.finished(jobId);
    expect(final.phase).toBe('delivered');
    expect(adapter.phases(jobId)).toEqual(
      expect.arrayContaining(['preparing', 'prepared', 'submitted', 'delivered']),
    );
    const video = adapter.deliveries.find((d) => d.jobId === jobId);
    expect(video?.bytes).toBeGreaterThan(10_000);
    const job = await t.app.service.getJob(jobId);
    expect(Math.abs((video?.durationSeconds ?? 0) - (job?.prepared?.audioSeconds ?? 0))).toBeLessThan(0.1);
    expect(job?.estimatedCost).toBeCloseTo((job?.prepared?.audioSeconds ?? 0) * 0.056, 5);
    expect(t.app.emulator?.stats().createsByExternalId[jobId]).toBe(1);
  });

  it('speaks text through TTS when there is no voice note', async () => {
    const { voice: _drop, ...rest } = request_();
    const { jobId } = await t.app.service.submit({
      ...rest,
      text: 'Welcome to the team, everyone. Lunch is at noon today.',
    });
    const final = await adapter.finished(jobId);
    expect(final.phase).toBe('delivered');
    const job = await t.app.service.getJob(jobId);
    expect(job?.prepared?.audioId).toBeTruthy();
    expect(job?.prepared?.audioSeconds).toBeGreaterThan(2);
  });

  it('collapses duplicate deliveries of one request into one job and one task', async () => {
    const req = request_();
    const results = await Promise.all([1, 2, 3].map(() => t.app.service.submit(req)));
    expect(new Set(results.map((r) => r.jobId)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    const jobId = results[0]?.jobId ?? '';
    await adapter.finished(jobId);
    expect(t.app.emulator?.stats().createsByExternalId[jobId]).toBe(1);
    expect(adapter.deliveries.filter((d) => d.jobId === jobId)).toHaveLength(1);
  });

  it('refuses bad input before spending anything, with a message that says what to fix', async () => {
    const tiny = path.join(t.dir, 'tiny.png');
    const sharp = (await import('sharp')).default;
    await writeFile(
      tiny,
      await sharp({ create: { width: 120, height: 100, channels: 3, background: '#888' } })
        .png()
        .toBuffer(),
    );
    const before = t.app.emulator?.stats().creates ?? 0;
    const { jobId } = await t.app.service.submit(request_({ image: fileRef(tiny) }));
    const final = await adapter.finished(jobId);
    expect(final.phase).toBe('failed');
    expect(final.error?.code).toBe('IMAGE_TOO_SMALL');
    expect(final.text).toContain('120×100 px');
    expect(final.error?.charged).toBe(false);
    expect(t.app.emulator?.stats().creates).toBe(before);
  });

  it('rejects a request shape problem synchronously, before any job exists', async () => {
    await expect(
      t.app.service.submit(request_({ text: 'Hello there, this is a long enough line.' })),
    ).rejects.toThrow(InputError);
    const { voice: _v, ...noVoice } = request_();
    await expect(t.app.service.submit(noVoice)).rejects.toMatchObject({ code: 'VOICE_OR_TEXT_MISSING' });
    await expect(t.app.service.submit(request_({ prompt: 'x'.repeat(2501) }))).rejects.toMatchObject({
      code: 'PROMPT_TOO_LONG',
    });
  });

  it('reports a failed render with the provider reason and that it may have been charged', async () => {
    t.app.emulator?.setFaults({ failNextTasks: 1, failMessage: 'Failure to pass the risk control system' });
    const { jobId } = await t.app.service.submit(request_());
    const final = await adapter.finished(jobId);
    expect(final.phase).toBe('failed');
    expect(final.error?.code).toBe('KLING_TASK_FAILED');
    expect(final.text).toContain('risk control');
    expect(final.error?.charged).toBe(true);
  });

  it('reconciles an ambiguous create instead of submitting again', async () => {
    t.app.emulator?.setFaults({ createThenFailRate: 1 });
    const { jobId } = await t.app.service.submit(request_());
    // Let the first create happen, then stop the fault so a (wrong) second create would succeed.
    await waitFor(() => (t.app.emulator?.stats().createsByExternalId[jobId] ?? 0) >= 1);
    t.app.emulator?.resetFaults();
    const final = await adapter.finished(jobId);
    expect(final.phase).toBe('delivered');
    expect(t.app.emulator?.stats().createsByExternalId[jobId]).toBe(1);
  });

  it('waits out a rate-limited create and then submits once', async () => {
    t.app.emulator?.setFaults({
      nextCreateError: {
        status: 429,
        body: { code: 1303, message: 'parallel task over resource pack limit', request_id: 'r1' },
      },
    });
    const { jobId } = await t.app.service.submit(request_());
    const final = await adapter.finished(jobId, 45_000);
    expect(final.phase).toBe('delivered');
    // Two create requests arrived (the refused one and the retry), one task exists.
    expect(t.app.emulator?.stats().createsByExternalId[jobId]).toBe(2);
    expect(t.app.emulator?.tasks().filter((task) => task.externalTaskId === jobId)).toHaveLength(1);
  });

  it('treats callbacks as hints: duplicates and early ones lead to one delivery', async () => {
    t.app.emulator?.setFaults({ duplicateCallbacks: true, callbackBeforeCreateResponse: true });
    const { jobId } = await t.app.service.submit(request_());
    const final = await adapter.finished(jobId);
    expect(final.phase).toBe('delivered');
    expect(adapter.deliveries.filter((d) => d.jobId === jobId)).toHaveLength(1);
    expect(t.app.emulator?.stats().createsByExternalId[jobId]).toBe(1);
  });

  it('answers 404 to a forged callback token and changes nothing', async () => {
    const { jobId } = await t.app.service.submit(request_());
    await adapter.finished(jobId);
    const before = await t.app.service.getJob(jobId);
    const forged = await request(`${t.app.url}/kling/callback/AAAAAAAAAAAAAAAAAAAAAAAAAAA`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        task_id: before?.kling?.taskId,
        task_status: 'failed',
        task_status_msg: 'forged',
      }),
    });
    expect(forged.statusCode).toBe(404);
    await forged.body.dump();
    // A valid token with a lying body: the job is already delivered and stays so.
    const lying = await request(`${t.app.url}/kling/callback/${before?.callbackToken}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ task_id: before?.kling?.taskId, task_status: 'failed' }),
    });
    expect(lying.statusCode).toBe(200);
    await lying.body.dump();
    expect((await t.app.service.getJob(jobId))?.state).toBe('delivered');
  });

  it('refuses an oversized callback body with 413', async () => {
    const res = await request(`${t.app.url}/kling/callback/AAAAAAAAAAAAAAAAAAAAAAAAAAA`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(200_000),
    });
    expect(res.statusCode).toBe(413);
    await res.body.dump();
  });

  it('reports health with the store and the Kling target', async () => {
    const res = await request(`${t.app.url}/healthz`);
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({
      ok: true,
      store: 'up',
      kling: { target: 'emulator', reachable: true, checkedAt: expect.any(String) },
    });
  });
});

async function waitFor(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
