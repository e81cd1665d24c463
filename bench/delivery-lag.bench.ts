// Delivery lag: from the moment a task turns 'succeed' at the emulator (its updatedAt) to the bot's
// delivery (the shell adapter's `video:` line, timed on arrival in this process, the emulator's
// clock), for a batch of jobs sent at once, (a) with callbacks (PUBLIC_URL names the bot's loopback
// port) and (b) polling only (real key, emulator as COMETAPI_BASE_URL, no PUBLIC_URL). Provider
// timings as Kling's: 2 s submitted, 20-40 s processing (seeded, the same set in both modes);
// BENCH_LAG_SCALE=0.25 shrinks them and POLL_FIRST_MS/POLL_MAX_MS alike. Status queries per job are
// compared with the production back-off and a naive fixed 5 s poller, both computed on the same
// task durations (not run). Loopback only; every process stops by itself.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pollDelayMs } from '../src/jobs/steps/backoff.js';
import { startEmulator } from '../src/kling/emulator/server.js';
import { AVATAR_LINE, freePort, loadNote, percentile, spawnBot, until } from './bot-process.js';
import type { BenchRow } from './run.js';

const JOBS = Number(process.env.BENCH_LAG_JOBS ?? 20);
const SCALE = Number(process.env.BENCH_LAG_SCALE ?? 1);
const PROD = { firstMs: 10_000, maxMs: 60_000 }; // src/config.ts defaults
const SUBMITTED_MS = 2_000;
const PROCESSING_MS = [20_000, 40_000] as const;
const NAIVE_MS = 5_000;
const KEY = 'sk-bench-0123456789';

interface ModeResult {
  lags: number[]; // ms, success at the provider to delivery
  durations: number[]; // ms, task created to success (as run, i.e. scaled)
  queries: number;
  callbacks: number;
  delivered: number;
}

/** mulberry32: the same processing times in both modes. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function runMode(callbacks: boolean): Promise<ModeResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-lag-'));
  const random = seeded(42);
  const [low, high] = PROCESSING_MS;
  const emulator = await startEmulator({
    workDir: path.join(dir, 'emulator'),
    ffmpegPath: 'ffmpeg',
    ffprobePath: 'ffprobe',
    apiKey: KEY,
    submittedMs: SUBMITTED_MS * SCALE,
    processingMs: () => Math.round((low + random() * (high - low)) * SCALE),
  });
  const port = callbacks ? await freePort() : 0;
  const deliveredAt = new Map<string, number>();
  const bot = spawnBot(
    dir,
    {
      COMETAPI_KEY: KEY,
      COMETAPI_BASE_URL: emulator.url,
      HOST: '127.0.0.1',
      PORT: String(port),
      POLL_FIRST_MS: String(Math.round(PROD.firstMs * SCALE)),
      POLL_MAX_MS: String(Math.round(PROD.maxMs * SCALE)),
      // Both modes send the audio inline, so the callback is the only difference between them.
      KLING_AUDIO_TRANSPORT: 'base64',
      ...(callbacks ? { PUBLIC_URL: `http://127.0.0.1:${port}` } : {}),
    },
    (line, at) => {
      const id = /^video: .*?([^/]+)\.mp4$/.exec(line)?.[1];
      if (id && !deliveredAt.has(id)) deliveredAt.set(id, at);
    },
  );
  try {
    for (let i = 0; i < JOBS; i++) bot.child.stdin.write(AVATAR_LINE);
    // Generous: preparing the batch on a busy machine, then the slowest task and its last poll.
    await until(() => deliveredAt.size >= JOBS, 5 * 60_000 + (SUBMITTED_MS + high + 3 * PROD.maxMs) * SCALE);
    const lags: number[] = [];
    const durations: number[] = [];
    for (const task of emulator.tasks()) {
      const at = task.externalTaskId ? deliveredAt.get(task.externalTaskId) : undefined;
      if (task.status !== 'succeed' || at === undefined) continue;
      lags.push(at - task.updatedAt);
      durations.push(task.updatedAt - task.createdAt);
    }
    const stats = emulator.stats();
    return {
      lags,
      durations,
      queries: stats.queries,
      callbacks: stats.callbacksSent,
      delivered: deliveredAt.size,
    };
  } finally {
    await bot.stop();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** When the bot's back-off first sees a task that succeeds `d` ms after submission. */
function backoffModel(d: number, firstMs: number, maxMs: number): { lag: number; queries: number } {
  let t = firstMs;
  let polls = 1;
  while (t < d) {
    t += pollDelayMs(polls, firstMs, maxMs);
    polls += 1;
  }
  return { lag: t - d, queries: polls };
}

/** A poller asking at 0, 5, 10 … s: ceil(d / 5 s) + 1 queries. */
function naiveModel(d: number): { lag: number; queries: number } {
  const k = Math.ceil(d / NAIVE_MS);
  return { lag: k * NAIVE_MS - d, queries: k + 1 };
}

export async function run(): Promise<BenchRow[]> {
  console.log(`  lag: ${JOBS} jobs with callbacks…`);
  const withCallbacks = await runMode(true);
  const loadA = loadNote();
  console.log(`  lag: ${JOBS} jobs polling only…`);
  const pollOnly = await runMode(false);
  const loadB = loadNote();

  const s = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const p = (xs: number[]) => `p50 ${s(percentile(xs, 50))} / p95 ${s(percentile(xs, 95))}`;
  const perJob = (n: number, jobs: number) => (n / Math.max(1, jobs)).toFixed(1);
  const row = (metric: string, value: string, extra: Partial<BenchRow> = {}): BenchRow => ({
    bench: 'lag',
    metric,
    value,
    ...extra,
  });
  // The models run on production time: the measured durations scaled back.
  const real = pollOnly.durations.map((d) => d / SCALE);
  const model = real.map((d) => backoffModel(d, PROD.firstMs, PROD.maxMs));
  const naive = real.map(naiveModel);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const modelQueries = mean(model.map((m) => m.queries));
  const naiveQueries = mean(naive.map((m) => m.queries));
  const scaled = SCALE === 1 ? 'real time' : `all timings x${SCALE}`;
  return [
    row('task duration (submit to succeed)', p(real), {
      note: `${JOBS} jobs at once, 2 s + 20-40 s, ${scaled}; render included`,
    }),
    row('lag with callbacks', p(withCallbacks.lags), {
      note: `${withCallbacks.delivered}/${JOBS} delivered; ${perJob(withCallbacks.queries, withCallbacks.delivered)} queries/job, ${withCallbacks.callbacks} callbacks; ${loadA}`,
    }),
    row('lag polling only', p(pollOnly.lags), {
      note: `${pollOnly.delivered}/${JOBS} delivered; ${perJob(pollOnly.queries, pollOnly.delivered)} queries/job; ${scaled}${SCALE === 1 ? '' : ` (${p(pollOnly.lags.map((l) => l / SCALE))} in production time)`}; ${loadB}`,
    }),
    row(
      'lag ratio polling / callbacks (p50)',
      `${(percentile(pollOnly.lags, 50) / percentile(withCallbacks.lags, 50)).toFixed(0)}x`,
    ),
    row('model: back-off 10 s/60 s (production)', p(model.map((m) => m.lag)), {
      note: `${modelQueries.toFixed(1)} queries/job; detection only, on the measured durations`,
    }),
    row('model: naive fixed 5 s poll', p(naive.map((m) => m.lag)), {
      note: `${naiveQueries.toFixed(1)} queries/job (ceil(d/5 s)+1); detection only, same durations`,
    }),
    row('queries/job: back-off vs naive 5 s', `${(modelQueries / naiveQueries).toFixed(2)}x`, {
      note: 'production back-off model over the naive poller',
    }),
  ];
}
