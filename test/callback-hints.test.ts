// Which provider callbacks bring a job's next poll forward: only end states. News that a task is
// 'submitted' or 'processing' changes nothing the bot would act on, so it waits for its own schedule
// (saving status queries); 'succeed' is polled at once. The body is never trusted as the result.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KlingEmulator } from '../src/kling/emulator/server.js';
import { API_KEY, startTestEmulator } from './emulator-helpers.js';
import { avatarRequest } from './helpers/avatar-request.js';
import { RecordingAdapter } from './helpers/recording-adapter.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

describe('callbacks as poll hints', () => {
  let root: string;
  let emulator: KlingEmulator;
  let t: TestApp;
  const adapter = new RecordingAdapter();

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'hints-'));
    emulator = await startTestEmulator(root, { submittedMs: 50, processingMs: 200 });
    // A real key and no PUBLIC_URL: the emulator sends no callbacks of its own, so only ours arrive.
    // The first poll is 30 s away, so any earlier poll was caused by a callback.
    t = await startTestApp({
      env: {
        COMETAPI_KEY: API_KEY,
        COMETAPI_BASE_URL: emulator.url,
        POLL_FIRST_MS: '30000',
        POLL_MAX_MS: '30000',
      },
    });
    t.app.service.registerAdapter(adapter);
  });
  afterAll(async () => {
    await t.close();
    await emulator.close();
    await rm(root, { recursive: true, force: true });
  });

  async function callback(token: string, status: string): Promise<void> {
    const res = await request(`${t.app.url}/kling/callback/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ task_status: status }),
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  }

  it('polls early for an end state, not for progress news', async () => {
    const { jobId } = await t.app.service.submit(avatarRequest({ id: 'hint' }));
    const deadline = Date.now() + 20_000;
    while ((await t.app.service.getJob(jobId))?.state !== 'submitted' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const job = await t.app.service.getJob(jobId);
    expect(job?.state).toBe('submitted');
    const token = job?.callbackToken ?? '';

    await callback(token, 'processing');
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await t.app.service.getJob(jobId))?.kling?.polls).toBe(0);

    await callback(token, 'succeed');
    expect((await adapter.finished(jobId, 10_000)).phase).toBe('delivered');
  });
});
