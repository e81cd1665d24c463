// A restart in the middle of a long voice note: the bot is SIGKILLed right after its first part was
// submitted, a fresh process over the same data folder finishes the remaining parts, and every part
// id reached the provider exactly once. The emulator runs in the test process so it outlives the bot.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJobStore } from '../src/jobs/open-store.js';
import type { KlingEmulator } from '../src/kling/emulator/server.js';
import { probeMedia } from '../src/media/probe.js';
import { startTestEmulator } from './emulator-helpers.js';
import { botTestEnv, startBot } from './helpers/bot-process.js';
import { makeLongVoice, makeSmallFace } from './helpers/long-voice.js';

const API_KEY = 'sk-long-restart-0123456789';

describe('restart while the parts of a long voice note render', () => {
  let emulator: KlingEmulator;
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'long-restart-'));
    emulator = await startTestEmulator(root, {
      apiKey: API_KEY,
      maxAudioSeconds: 6,
      submittedMs: 200,
      processingMs: 1_500,
    });
  });
  afterAll(async () => {
    await emulator.close();
    await rm(root, { recursive: true, force: true });
  });

  it('resumes the remaining parts without submitting any part twice', async () => {
    const [face, note] = await Promise.all([makeSmallFace(root), makeLongVoice(root, 'note', 13)]);
    const env = botTestEnv(
      root,
      { url: emulator.url, apiKey: API_KEY },
      {
        AUDIO_MAX_SECONDS: '6',
        AUDIO_MAX_TOTAL_SECONDS: '20',
        SPLIT_SEARCH_SECONDS: '4',
        // Team controls stay out of the way: this test is about the parts, not about confirmation.
        CONFIRM_THRESHOLD_USD: '1000',
        CONSENT_REQUIRED: 'false',
      },
    );
    const first = startBot(env, `/avatar image=${face} voice=${note.path}\n`);
    const jobId = String((await first.waitForLog('job accepted')).jobId);
    const split = await first.waitForLog('voice note split into parts');
    await first.waitForLog('part submitted');
    await first.kill();
    const before = emulator.stats().createsByExternalId;
    expect(Object.keys(before).filter((id) => id.startsWith(jobId)).length).toBeLessThan(
      split.parts as number,
    );

    const second = startBot(env);
    expect(await second.exited).toBe(0);
    const store = await openJobStore(`sqlite://${path.join(root, 'data', 'bot.sqlite')}`);
    const job = await store.get(jobId);
    await store.close();
    expect(job?.state).toBe('delivered');
    const parts = job?.parts ?? [];
    expect(parts).toHaveLength(split.parts as number);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    const creates = emulator.stats().createsByExternalId;
    for (const part of parts) {
      expect(part.state).toBe('succeeded');
      expect(creates[part.externalTaskId]).toBe(1);
      expect(emulator.tasks().filter((x) => x.externalTaskId === part.externalTaskId)).toHaveLength(1);
    }
    expect(second.logs.some((l) => l.msg === 'resuming unfinished jobs')).toBe(true);
    const videoLines = [...first.stdout, ...second.stdout].filter((l) => l.startsWith('video: '));
    expect(videoLines).toHaveLength(1);
    expect(await readdir(path.join(root, 'out'))).toEqual([`${jobId}.mp4`]);
    const probe = await probeMedia(
      { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', source: 'path' },
      path.join(root, 'out', `${jobId}.mp4`),
    );
    expect(Math.abs((probe.durationSeconds ?? 0) - (job?.prepared?.audioSeconds ?? 0))).toBeLessThan(0.1);
  }, 120_000);
});
