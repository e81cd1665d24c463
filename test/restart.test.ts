// Restarts in every phase of a job: the bot process is SIGKILLed, a fresh process starts over the same
// data folder, and the job must end delivered exactly once with exactly one task created at the
// provider. The emulator runs in the test process so it outlives the bot. More phases (preparing,
// awaiting confirmation, text-to-speech) are in test/fault-kill-phases.test.ts; the harness is shared.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KlingEmulator } from '../src/kling/emulator/server.js';
import { startTestEmulator } from './emulator-helpers.js';
import { ENGINES, engineEnv } from './helpers/engines.js';
import { type KillHarness, type KillPlan, killAndResume } from './helpers/kill-and-resume.js';

const API_KEY = 'sk-restart-test-0123456789';

describe.each(ENGINES)('restart in every phase ($name engine)', { timeout: 120_000 }, (engine) => {
  let emulator: KlingEmulator;
  let h: KillHarness;

  beforeAll(async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'restart-'));
    emulator = await startTestEmulator(root, { apiKey: API_KEY, submittedMs: 200, processingMs: 2_500 });
    h = { root, emulator, apiKey: API_KEY, engineEnv: await engineEnv(engine) };
  });
  afterAll(async () => {
    await emulator?.close();
    await engine.teardown?.();
    if (h) await rm(h.root, { recursive: true, force: true });
  });
  beforeEach(() => emulator.resetFaults());

  const run = (plan: KillPlan) => killAndResume(h, plan);

  it('after the job was accepted, before it was submitted', async () => {
    const r = await run({ name: 'accepted', killAfter: 'job accepted' });
    expect(r.code).toBe(0);
    expect(r.job?.state).toBe('delivered');
    expect(r.videoLines).toHaveLength(1);
    expect(r.outFiles).toEqual([`${r.jobId}.mp4`]);
    expect(emulator.stats().createsByExternalId[r.jobId]).toBe(1);
  });

  it('between sending the create and recording its answer', async () => {
    const r = await run({
      name: 'submitting',
      killAfter: 'create outcome unknown, reconciling',
      prepare: () => emulator.setFaults({ createThenFailRate: 1 }),
      afterKill: () => emulator.resetFaults(),
    });
    expect(r.code).toBe(0);
    expect(r.job?.state).toBe('delivered');
    expect(r.videoLines).toHaveLength(1);
    // The task created before the crash was adopted; no second create request was even sent.
    expect(emulator.stats().createsByExternalId[r.jobId]).toBe(1);
    expect(emulator.tasks().filter((t) => t.externalTaskId === r.jobId)).toHaveLength(1);
  });

  it('while the task is rendering', async () => {
    const r = await run({ name: 'rendering', killAfter: 'kling task submitted' });
    expect(r.code).toBe(0);
    expect(r.job?.state).toBe('delivered');
    expect(r.videoLines).toHaveLength(1);
    expect(emulator.stats().createsByExternalId[r.jobId]).toBe(1);
  });

  it('after the task succeeded, while downloading or delivering', async () => {
    const r = await run({ name: 'finishing', killAfter: 'kling task succeeded' });
    expect(r.code).toBe(0);
    expect(r.job?.state).toBe('delivered');
    expect(r.outFiles).toEqual([`${r.jobId}.mp4`]);
    expect(r.videoLines.length).toBeGreaterThanOrEqual(1);
    expect(new Set(r.videoLines).size).toBe(1);
    expect(emulator.stats().createsByExternalId[r.jobId]).toBe(1);
  });
});
