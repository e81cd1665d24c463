// Long voice notes end to end, in-process against the emulator with real ffmpeg and espeak-ng: split
// at pauses, one task per part, a failed part retried alone, ambiguous creates reconciled, rate
// limits lowering the concurrency, and one seamless video whose audio is the original note.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AttachmentRef, AvatarRequest } from '../src/core/types.js';
import type { AvatarApi } from '../src/jobs/ports.js';
import { createLogger } from '../src/logger.js';
import { probeMedia } from '../src/media/probe.js';
import { bestLag, correlation, decodePcm, makeLongVoice, makeSmallFace, rms } from './helpers/long-voice.js';
import { RecordingAdapter } from './helpers/recording-adapter.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const TOOLS = { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', source: 'path' as const };
/** Team controls stay out of the way: these tests are about the parts, not about confirmation. */
const NO_CONTROLS = { CONFIRM_THRESHOLD_USD: '1000', CONSENT_REQUIRED: 'false' };
const RATE = 16_000;
/** Renders and joins are real ffmpeg work; a shared, busy 2-core machine can take a while. */
const SLOW_MS = 120_000;

function fileRef(file: string): AttachmentRef {
  return { name: path.basename(file), source: file, fetch: () => readFile(file) };
}

let counter = 0;
function requestFor(face: string, voice: string): AvatarRequest {
  counter += 1;
  return {
    idempotencyKey: `long:${Date.now()}:${counter}`,
    requester: { id: 'u1', displayName: 'Ada' },
    replyTo: { adapter: 'recording', address: { channel: 'c1' } },
    image: fileRef(face),
    voice: fileRef(voice),
  };
}

let dir: string;
let face: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'long-voice-'));
  face = await makeSmallFace(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('long voice notes with the default limits (60 s per task)', () => {
  let t: TestApp;
  const adapter = new RecordingAdapter();
  let note150: string;
  /** The 61 s job starts with the app and renders alongside the 150 s one (2 cores, less idle). */
  let job61: Promise<string>;

  beforeAll(async () => {
    const [n150, n61] = await Promise.all([makeLongVoice(dir, 'n150', 150), makeLongVoice(dir, 'n61', 61)]);
    note150 = n150.path;
    t = await startTestApp({ env: NO_CONTROLS });
    t.app.service.registerAdapter(adapter);
    job61 = t.app.service.submit(requestFor(face, n61.path)).then((r) => r.jobId);
  });
  afterAll(async () => {
    await t.close();
  });

  it(
    'splits a 150 s note at pauses and delivers one video with the original, gapless audio',
    async () => {
      const { jobId } = await t.app.service.submit(requestFor(face, note150));
      const final = await adapter.finished(jobId, 110_000);
      expect(final.phase, final.text).toBe('delivered');
      const job = await t.app.service.getJob(jobId);
      const parts = job?.parts ?? [];
      const audioSeconds = job?.prepared?.audioSeconds ?? 0;
      expect(audioSeconds).toBeGreaterThan(149);
      expect(parts.length).toBeGreaterThanOrEqual(3);
      const stats = t.app.emulator?.stats();
      for (const part of parts) {
        expect(part.durationSeconds).toBeGreaterThanOrEqual(2);
        expect(part.durationSeconds).toBeLessThanOrEqual(60);
        expect(part.externalTaskId).toBe(`${jobId}-p${part.index}`);
        expect(stats?.createsByExternalId[part.externalTaskId]).toBe(1);
      }
      expect(stats?.createsByExternalId[jobId]).toBeUndefined();

      // The plan came before any submission: parts, total seconds, mode and the total cost.
      const updates = adapter.updates.filter((u) => u.jobId === jobId);
      const plan = updates.findIndex((u) => u.phase === 'prepared');
      expect(plan).toBeGreaterThanOrEqual(0);
      expect(plan).toBeLessThan(updates.findIndex((u) => u.phase === 'submitted'));
      expect(job?.estimatedCost).toBeCloseTo(audioSeconds * 0.056, 6);
      expect(updates[plan]?.text).toContain(`${parts.length} parts`);
      expect(updates[plan]?.text).toContain(`${audioSeconds.toFixed(1)} s`);
      expect(updates[plan]?.text).toContain(`US$ ${(audioSeconds * 0.056).toFixed(2)}`);
      expect(updates[plan]?.text).toContain('std');
      const progress = updates.filter((u) => u.parts && u.phase === 'processing');
      expect(progress.at(-1)?.parts).toEqual({ done: parts.length, total: parts.length });
      expect(progress.at(-1)?.text).toContain(`${parts.length} of ${parts.length} parts done`);

      // One video, as long as the audio.
      const video = adapter.deliveries.find((d) => d.jobId === jobId);
      expect(video?.path).toBeTruthy();
      const probe = await probeMedia(TOOLS, video?.path ?? '');
      expect(probe.videoStreams).toHaveLength(1);
      expect(Math.abs((probe.durationSeconds ?? 0) - audioSeconds)).toBeLessThan(0.1);

      // Around every join the delivered sound is the prepared note itself: same waveform, no offset,
      // nothing missing or added; and each cut lies in a pause, not inside a word.
      const original = await decodePcm(job?.prepared?.audioPath ?? '', RATE);
      const joined = await decodePcm(video?.path ?? '', RATE);
      expect(Math.abs(joined.length - original.length)).toBeLessThan(0.05 * RATE);
      for (const part of parts.slice(1)) {
        const cut = Math.round(part.startSeconds * RATE);
        const span = Math.round(1.5 * RATE);
        const { lag, score } = bestLag(original, joined, cut - span, cut + span, Math.round(0.01 * RATE));
        expect(Math.abs(lag), `lag at ${part.startSeconds}`).toBeLessThanOrEqual(2);
        expect(score).toBeGreaterThan(0.9);
        expect(correlation(original, joined, cut - span, cut, 0)).toBeGreaterThan(0.9);
        expect(correlation(original, joined, cut, cut + span, 0)).toBeGreaterThan(0.9);
        const energy = rms(joined, cut - span, cut + span) / rms(original, cut - span, cut + span);
        expect(energy).toBeGreaterThan(0.8);
        expect(energy).toBeLessThan(1.25);
        expect(
          rms(original, cut - 0.05 * RATE, cut + 0.05 * RATE),
          `speech at ${part.startSeconds}`,
        ).toBeLessThan(0.01);
      }
    },
    SLOW_MS,
  );

  it(
    'splits a 61 s note into 2 parts',
    async () => {
      const jobId = await job61;
      const final = await adapter.finished(jobId, 80_000);
      expect(final.phase, final.text).toBe('delivered');
      const job = await t.app.service.getJob(jobId);
      expect(job?.parts?.map((p) => p.externalTaskId)).toEqual([`${jobId}-p1`, `${jobId}-p2`]);
      const video = adapter.deliveries.find((d) => d.jobId === jobId);
      expect(Math.abs((video?.durationSeconds ?? 0) - (job?.prepared?.audioSeconds ?? 0))).toBeLessThan(0.1);
    },
    SLOW_MS,
  );
});

describe('long voice notes under faults (6 s per task, 20 s at most)', () => {
  let t: TestApp;
  const adapter = new RecordingAdapter();
  const logs: Array<Record<string, unknown>> = [];
  /** External ids with a task rendering, seen from the bot's side of the wire. */
  const inFlight = new Map<string, string>();
  let maxInFlightAfterLowering = 0;
  let lowered = false;
  let note: string;
  let tooLong: string;

  beforeAll(async () => {
    [note, tooLong] = (await Promise.all([makeLongVoice(dir, 'n13', 13), makeLongVoice(dir, 'n26', 26)])).map(
      (n) => n.path,
    ) as [string, string];
    const destination = {
      write(line: string) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'parts concurrency lowered after a rate limit') lowered = true;
      },
    };
    const watch = (real: AvatarApi): AvatarApi => ({
      synthesizeSpeech: (body, options) => real.synthesizeSpeech(body, options),
      async createAvatarTask(body, signal) {
        const task = await real.createAvatarTask(body, signal);
        inFlight.set(task.taskId, body.external_task_id);
        if (lowered) maxInFlightAfterLowering = Math.max(maxInFlightAfterLowering, inFlight.size);
        return task;
      },
      async getAvatarTask(id, signal) {
        const task = await real.getAvatarTask(id, signal);
        if (task.status === 'succeed' || task.status === 'failed') inFlight.delete(task.taskId);
        return task;
      },
    });
    t = await startTestApp({
      env: {
        ...NO_CONTROLS,
        AUDIO_MAX_SECONDS: '6',
        AUDIO_MAX_TOTAL_SECONDS: '20',
        SPLIT_SEARCH_SECONDS: '4',
      },
      logger: createLogger({ level: 'info', format: 'json', destination }),
      overrides: { api: watch },
    });
    t.app.service.registerAdapter(adapter);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(() => {
    t.app.emulator?.resetFaults();
    inFlight.clear();
  });

  it(
    'retries a part that failed at the provider on its own, under a new id, and still delivers',
    async () => {
      t.app.emulator?.setFaults({ failNextTasks: 1 });
      const { jobId } = await t.app.service.submit(requestFor(face, note));
      const final = await adapter.finished(jobId, 80_000);
      expect(final.phase, final.text).toBe('delivered');
      const job = await t.app.service.getJob(jobId);
      const parts = job?.parts ?? [];
      expect(parts.length).toBeGreaterThanOrEqual(3);
      const retried = parts.filter((p) => p.attempts === 1);
      expect(retried).toHaveLength(1);
      const creates = t.app.emulator?.stats().createsByExternalId ?? {};
      const ids = Object.keys(creates).filter((id) => id.startsWith(jobId));
      expect(ids.sort()).toEqual(
        [...parts.map((p) => `${jobId}-p${p.index}`), retried[0]?.externalTaskId].sort(),
      );
      for (const id of ids) expect(creates[id]).toBe(1);
      expect(retried[0]?.externalTaskId).toBe(`${jobId}-p${retried[0]?.index}-r1`);
    },
    SLOW_MS,
  );

  it(
    'fails the request when a part fails for good, naming the part, the reason and the spend',
    async () => {
      t.app.emulator?.setFaults({
        failNextTasks: 100,
        failMessage: 'Failure to pass the risk control system',
      });
      const { jobId } = await t.app.service.submit(requestFor(face, note));
      const final = await adapter.finished(jobId, 80_000);
      expect(final.phase).toBe('failed');
      expect(final.error?.code).toBe('PART_FAILED');
      expect(final.error?.charged).toBe(true);
      const job = await t.app.service.getJob(jobId);
      const failed = job?.parts?.find((p) => p.state === 'failed');
      expect(failed?.attempts).toBe(2);
      const total = job?.parts?.length ?? 0;
      expect(final.text).toMatch(new RegExp(`Part ${failed?.index} of ${total} \\([\\d.]+–[\\d.]+ s`));
      expect(final.text).toContain('risk control');
      expect(final.text).toMatch(
        new RegExp(
          `\\d of ${total} parts had been submitted \\([\\d.]+ s of video, up to US\\$ \\d+\\.\\d\\d\\)`,
        ),
      );
      const creates = t.app.emulator?.stats().createsByExternalId ?? {};
      for (const r of [1, 2]) expect(creates[`${jobId}-p${failed?.index}-r${r}`]).toBe(1);
      expect(creates[`${jobId}-p${failed?.index}-r3`]).toBeUndefined();
    },
    SLOW_MS,
  );

  it(
    'reconciles ambiguous part creates: exactly one create per part id',
    async () => {
      t.app.emulator?.setFaults({ createThenFailRate: 1 });
      const { jobId } = await t.app.service.submit(requestFor(face, note));
      const final = await adapter.finished(jobId, 80_000);
      expect(final.phase, final.text).toBe('delivered');
      const job = await t.app.service.getJob(jobId);
      const creates = t.app.emulator?.stats().createsByExternalId ?? {};
      for (const part of job?.parts ?? []) {
        expect(creates[part.externalTaskId]).toBe(1);
        expect(t.app.emulator?.tasks().filter((x) => x.externalTaskId === part.externalTaskId)).toHaveLength(
          1,
        );
      }
    },
    SLOW_MS,
  );

  it(
    'lowers the parts concurrency to 1 after a 429/1303 and still finishes',
    async () => {
      t.app.emulator?.setFaults({
        nextCreateError: {
          status: 429,
          body: { code: 1303, message: 'parallel task over resource pack limit', request_id: 'r1' },
        },
      });
      const { jobId } = await t.app.service.submit(requestFor(face, note));
      const final = await adapter.finished(jobId, 80_000);
      expect(final.phase, final.text).toBe('delivered');
      expect(logs.some((l) => l.msg === 'parts concurrency lowered after a rate limit' && l.to === 1)).toBe(
        true,
      );
      expect(maxInFlightAfterLowering).toBe(1);
      const job = await t.app.service.getJob(jobId);
      const tasks = t.app.emulator?.tasks() ?? [];
      for (const part of job?.parts ?? [])
        expect(tasks.filter((x) => x.externalTaskId === part.externalTaskId)).toHaveLength(1);
    },
    SLOW_MS,
  );

  it(
    'refuses a note over AUDIO_MAX_TOTAL_SECONDS before spending anything',
    async () => {
      const before = t.app.emulator?.stats().creates ?? 0;
      const { jobId } = await t.app.service.submit(requestFor(face, tooLong));
      const final = await adapter.finished(jobId);
      expect(final.phase).toBe('failed');
      expect(final.error?.code).toBe('VOICE_TOO_LONG');
      expect(final.text).toContain('the limit is 20 s');
      expect(final.error?.charged).toBe(false);
      expect(t.app.emulator?.stats().creates).toBe(before);
    },
    SLOW_MS,
  );
});
