// SIGKILL in the phases test/restart.test.ts does not cover: while the inputs are being converted,
// while a job waits for its price confirmation, and while a text job's TTS request is in flight. A
// fresh process over the same data folder must deliver the job exactly once with one create per
// external_task_id, or (confirmation) keep the job waiting until it is confirmed after the restart.
// A restart while the parts of a long voice note render is covered by test/long-voice-restart.test.ts.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { t } from '../src/i18n/catalog.js';
import type { KlingEmulator } from '../src/kling/emulator/server.js';
import { FFMPEG, startTestEmulator, waitFor } from './emulator-helpers.js';
import { ENGINES, engineEnv } from './helpers/engines.js';
import {
  type KillHarness,
  type KillPlan,
  type KillResult,
  killAndResume,
} from './helpers/kill-and-resume.js';

const API_KEY = 'sk-kill-phases-0123456789';
/** Generous: on a loaded machine a bot process takes many seconds just to start. */
const WAIT_MS = 60_000;
const TEXT = 'Good morning team, here is the short weekly update from the platform group.';

/**
 * An ffmpeg that, when converting a saved voice note, first notes its pid in `marker` and waits, so the
 * test can kill the bot while the conversion is certainly running. Everything else runs at once.
 */
async function slowFfmpeg(dir: string, marker: string): Promise<string> {
  const file = path.join(dir, 'slow-ffmpeg.sh');
  const script = [
    '#!/bin/sh',
    `case "$*" in *input-voice*) echo $$ >> "${marker}"; sleep 2 ;; esac`,
    `exec ${FFMPEG} "$@"`,
  ];
  await writeFile(file, `${script.join('\n')}\n`, { mode: 0o755 });
  return file;
}

describe.each(ENGINES)('SIGKILL in the remaining phases ($name engine)', { timeout: 120_000 }, (engine) => {
  let emulator: KlingEmulator;
  let h: KillHarness;
  let ffmpegShim: string;
  let marker: string;

  beforeAll(async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'kill-phases-'));
    emulator = await startTestEmulator(root, { apiKey: API_KEY, submittedMs: 200, processingMs: 1_000 });
    h = { root, emulator, apiKey: API_KEY, engineEnv: await engineEnv(engine) };
    marker = path.join(root, 'conversions.txt');
    ffmpegShim = await slowFfmpeg(root, marker);
  });
  afterAll(async () => {
    await emulator?.close();
    await engine.teardown?.();
    if (h) await rm(h.root, { recursive: true, force: true });
  });
  beforeEach(() => emulator.resetFaults());

  const run = (plan: KillPlan) => killAndResume(h, plan);

  function expectDeliveredOnce(r: KillResult): void {
    expect(r.code).toBe(0);
    expect(r.job?.state).toBe('delivered');
    expect(r.videoLines).toHaveLength(1);
    expect(r.outFiles).toEqual([`${r.jobId}.mp4`]);
    expect(emulator.stats().createsByExternalId[r.jobId]).toBe(1);
    expect(emulator.tasks().filter((task) => task.externalTaskId === r.jobId)).toHaveLength(1);
  }

  it('while the inputs are being converted (ffmpeg running)', async () => {
    let converting: number[] = [];
    const r = await run({
      name: 'preparing',
      env: { FFMPEG_PATH: ffmpegShim },
      killAfter: async () => {
        converting = await waitFor(async () => {
          const pids = (await readFile(marker, 'utf8').catch(() => '')).split('\n').filter(Boolean);
          return pids.length > 0 ? pids.map(Number) : undefined;
        }, WAIT_MS);
      },
      // A dead container takes its children with it; without this the orphan would go on converting.
      afterKill: () => {
        for (const pid of converting) process.kill(pid, 'SIGKILL');
      },
    });
    expect(converting).toHaveLength(1);
    expect(r.first.logs.some((l) => l.msg === 'job inputs prepared')).toBe(false);
    expect(r.second.logs.some((l) => l.msg === 'resuming unfinished jobs')).toBe(true);
    expectDeliveredOnce(r);
    // The restarted bot converted the voice note again, from its saved copy.
    expect((await readFile(marker, 'utf8')).split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('while waiting for a price confirmation: still waits after the restart, then confirms once', async () => {
    const createsBefore = emulator.stats().creates;
    const r = await run({
      name: 'awaiting',
      env: { CONFIRM_THRESHOLD_USD: '0', CONSENT_REQUIRED: 'false' },
      keepInputOpen: true,
      killAfter: (bot, jobId) => bot.waitForLine((l) => l.includes(`/confirm ${jobId}`), WAIT_MS),
      afterRestart: async (bot, { jobId, readJob }) => {
        await bot.waitForLog('resuming unfinished jobs', WAIT_MS);
        // Give a wrongly resumed job time to submit by itself: it must not.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        expect((await readJob())?.state).toBe('awaiting_confirmation');
        expect(emulator.stats().createsByExternalId[jobId]).toBeUndefined();
        bot.send(`/confirm ${jobId}`);
        await bot.waitForLine((l) => l.includes(t(undefined, 'controls.confirmed')), WAIT_MS);
        bot.endInput();
      },
    });
    expect(r.first.stdout.some((l) => l.includes(`/confirm ${r.jobId}`))).toBe(true);
    expect(r.job?.controls?.confirmed).toBeTruthy();
    expectDeliveredOnce(r);
    expect(emulator.stats().creates - createsBefore).toBe(1);
  });

  it('while waiting for a confirmation, with nobody left to answer: cancelled at no cost', async () => {
    const createsBefore = emulator.stats().creates;
    const r = await run({
      name: 'awaiting-unattended',
      env: { CONFIRM_THRESHOLD_USD: '0', CONSENT_REQUIRED: 'false' },
      keepInputOpen: true,
      killAfter: (bot, jobId) => bot.waitForLine((l) => l.includes(`/confirm ${jobId}`), WAIT_MS),
    });
    // The restarted shell's input is already closed, so the job must not hang until it expires.
    expect(r.code).toBe(1);
    expect(r.job?.state).toBe('cancelled');
    expect(r.job?.error).toMatchObject({ code: 'CONFIRM_UNATTENDED', charged: false });
    expect(r.videoLines).toHaveLength(0);
    expect(emulator.stats().creates).toBe(createsBefore);
  });

  it("while a text job's TTS request is in flight", async () => {
    let timeoutsBefore = 0;
    let ttsBefore = 0;
    const r = await run({
      name: 'tts',
      line: `/avatar image=samples/face.jpg text="${TEXT}"\n`,
      // The emulator holds every request; a text job's first request to the provider is its TTS.
      prepare: () => {
        timeoutsBefore = emulator.stats().faultsInjected.timeout ?? 0;
        ttsBefore = emulator.stats().ttsCreates;
        emulator.setFaults({ timeoutRate: 1, timeoutMs: 20_000 });
      },
      killAfter: () =>
        waitFor(
          () => ((emulator.stats().faultsInjected.timeout ?? 0) > timeoutsBefore ? true : undefined),
          WAIT_MS,
        ),
      afterKill: () => emulator.resetFaults(),
    });
    expect(r.first.logs.some((l) => l.msg === 'kling task submitted')).toBe(false);
    expectDeliveredOnce(r);
    expect(r.job?.prepared?.audioId).toBeTruthy();
    // The held request never reached the TTS service; the restarted bot asked once more.
    expect(emulator.stats().ttsCreates - ttsBefore).toBe(1);
  });
});
