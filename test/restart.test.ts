// Restarts in every phase of a job: the bot process is SIGKILLed, a fresh process starts over the same
// data folder, and the job must end delivered exactly once with exactly one task created at the
// provider. The emulator runs in the test process so it outlives the bot.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openJobStore } from '../src/jobs/open-store.js';
import type { KlingEmulator } from '../src/kling/emulator/server.js';
import { startTestEmulator } from './emulator-helpers.js';
import { startBot } from './helpers/bot-process.js';

const API_KEY = 'sk-restart-test-0123456789';
const LINE = '/avatar image=samples/face.jpg voice=samples/voice.ogg\n';

describe('restart in every phase', () => {
  let emulator: KlingEmulator;
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'restart-'));
    emulator = await startTestEmulator(root, { apiKey: API_KEY, submittedMs: 200, processingMs: 2_500 });
  });
  afterAll(async () => {
    await emulator.close();
    await rm(root, { recursive: true, force: true });
  });
  beforeEach(() => emulator.resetFaults());

  async function killAndResume(
    name: string,
    killAfterLog: string,
    prepare?: () => void,
    afterKill?: () => void,
  ) {
    const dir = path.join(root, name);
    const env = {
      DATA_DIR: path.join(dir, 'data'),
      OUT_DIR: path.join(dir, 'out'),
      COMETAPI_KEY: API_KEY,
      COMETAPI_BASE_URL: emulator.url,
      PORT: '0',
      LOG_LEVEL: 'info',
      POLL_FIRST_MS: '300',
      POLL_MAX_MS: '1000',
    };
    prepare?.();
    const first = startBot(env, LINE);
    const accepted = await first.waitForLog('job accepted');
    const jobId = String(accepted.jobId);
    await first.waitForLog(killAfterLog);
    await first.kill();
    afterKill?.();

    const second = startBot(env);
    const code = await second.exited;
    const videoLines = [...first.stdout, ...second.stdout].filter((l) => l.startsWith('video: '));
    const store = await openJobStore(`sqlite://${path.join(dir, 'data', 'bot.sqlite')}`);
    const job = await store.get(jobId);
    await store.close();
    return { jobId, code, videoLines, job, outFiles: await readdir(path.join(dir, 'out')) };
  }

  it('after the job was accepted, before it was submitted', async () => {
    const r = await killAndResume('accepted', 'job accepted');
    expect(r.code).toBe(0);
    expect(r.job?.state).toBe('delivered');
    expect(r.videoLines).toHaveLength(1);
    expect(r.outFiles).toEqual([`${r.jobId}.mp4`]);
    expect(emulator.stats().createsByExternalId[r.jobId]).toBe(1);
  });

  it('between sending the create and recording its answer', async () => {
    const r = await killAndResume(
      'submitting',
      'create outcome unknown, reconciling',
      () => emulator.setFaults({ createThenFailRate: 1 }),
      () => emulator.resetFaults(),
    );
    expect(r.code).toBe(0);
    expect(r.job?.state).toBe('delivered');
    expect(r.videoLines).toHaveLength(1);
    // The task created before the crash was adopted; no second create request was even sent.
    expect(emulator.stats().createsByExternalId[r.jobId]).toBe(1);
    expect(emulator.tasks().filter((t) => t.externalTaskId === r.jobId)).toHaveLength(1);
  });

  it('while the task is rendering', async () => {
    const r = await killAndResume('rendering', 'kling task submitted');
    expect(r.code).toBe(0);
    expect(r.job?.state).toBe('delivered');
    expect(r.videoLines).toHaveLength(1);
    expect(emulator.stats().createsByExternalId[r.jobId]).toBe(1);
  });

  it('after the task succeeded, while downloading or delivering', async () => {
    const r = await killAndResume('finishing', 'kling task succeeded');
    expect(r.code).toBe(0);
    expect(r.job?.state).toBe('delivered');
    expect(r.outFiles).toEqual([`${r.jobId}.mp4`]);
    expect(r.videoLines.length).toBeGreaterThanOrEqual(1);
    expect(new Set(r.videoLines).size).toBe(1);
    expect(emulator.stats().createsByExternalId[r.jobId]).toBe(1);
  });
});
