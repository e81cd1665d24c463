// Three instances on one Redis with 1,000 jobs (BENCH_INSTANCE_JOBS): the jobs are seeded into the
// Redis store as in-flight renders (see seed-jobs.ts), then three real bot processes with the BullMQ
// engine follow them to delivery. Every provider request is read back from the bots' debug logs with
// its start and end, so the bench can count tasks that two instances queried at the same time (the
// target is 0), tasks handled by more than one instance over their life (expected: BullMQ hands each
// step to whichever instance is free), deliveries per job and creates per external_task_id.
// Loopback only; bounded by BENCH_INSTANCE_MINUTES; everything it starts is stopped.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type KlingEmulator, startEmulator } from '../src/kling/emulator/server.js';
import { type RedisHandle, startRedis } from '../test/helpers/redis-server.js';
import { type BotProcess, loadNote, sleep, spawnBot } from './bot-process.js';
import type { BenchRow } from './run.js';
import { seedJobs } from './seed-jobs.js';

const JOBS = Number(process.env.BENCH_INSTANCE_JOBS ?? 1000);
const INSTANCES = 3;
const LIMIT_MS = Number(process.env.BENCH_INSTANCE_MINUTES ?? 10) * 60_000;
const KEY = 'sk-bench-instances-0123456789';
const POLL_MAX_MS = 5_000;

interface Query {
  instance: number;
  jobId: string;
  start: number;
  end: number;
}

export async function run(): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-instances-'));
  let redis: RedisHandle | undefined;
  let emulator: KlingEmulator | undefined;
  const bots: BotProcess[] = [];
  try {
    redis = await startRedis();
    emulator = await startEmulator({
      workDir: path.join(dir, 'emulator'),
      ffmpegPath: 'ffmpeg',
      ffprobePath: 'ffprobe',
      apiKey: KEY,
      submittedMs: 500,
      // Kling renders take tens of seconds; each task gets its own 20-40 s.
      processingMs: () => 20_000 + Math.random() * 20_000,
      renderVideos: false,
    });
    const env = {
      COMETAPI_KEY: KEY,
      COMETAPI_BASE_URL: emulator.url,
      STORE_URL: redis.url,
      JOB_ENGINE: 'bullmq',
      POLL_FIRST_MS: '2000',
      POLL_MAX_MS: String(POLL_MAX_MS),
      JOB_DEADLINE_MS: String(3_600_000),
    };
    await seedJobs(dir, env, emulator, KEY, JOBS, POLL_MAX_MS);
    const seeded = emulator.stats().createsByExternalId;

    const queries: Query[] = [];
    const videos: Array<{ instance: number; line: string }> = [];
    const started = Date.now();
    for (let instance = 0; instance < INSTANCES; instance++) {
      bots.push(
        spawnBot(
          dir,
          { ...env, LOG_LEVEL: 'debug' },
          (line) => {
            if (line.startsWith('video: ')) videos.push({ instance, line });
          },
          (log) => {
            if (log.msg !== 'Kling request succeeded' || log.method !== 'GET') return;
            if (typeof log.jobId !== 'string' || typeof log.time !== 'number') return;
            const ms = typeof log.ms === 'number' ? log.ms : 0;
            queries.push({ instance, jobId: log.jobId, start: log.time - ms, end: log.time });
          },
        ),
      );
    }
    // With its input closed, each shell exits once the shared queue is empty: every job has ended.
    for (const bot of bots) bot.child.stdin.end();
    const allExited = Promise.all(bots.map((b) => b.exited));
    const timedOut = await Promise.race([allExited.then(() => false), sleep(LIMIT_MS).then(() => true)]);
    const elapsedS = (Date.now() - started) / 1000;

    const jobIds = new Set(queries.map((q) => q.jobId));
    const perJob = groupBy(queries, (q) => q.jobId);
    let overlapping = 0;
    let multiInstance = 0;
    for (const list of perJob.values()) {
      if (new Set(list.map((q) => q.instance)).size > 1) multiInstance++;
      if (hasCrossInstanceOverlap(list)) overlapping++;
    }
    const deliveredLines = videos.map((v) => v.line);
    const duplicateDeliveries = deliveredLines.length - new Set(deliveredLines).size;
    const creates = emulator.stats().createsByExternalId;
    const extraCreates = Object.entries(creates).filter(([id, n]) => n > (seeded[id] ?? 0)).length;
    const perInstance = [0, 1, 2].map((i) => queries.filter((q) => q.instance === i).length);
    const taskStates = countBy(emulator.tasks().map((task) => task.status));
    const note = `${JOBS} seeded jobs, 20-40 s renders, polls 2-5 s; ${loadNote()}`;
    return [
      {
        bench: 'instances',
        metric: 'jobs delivered',
        value: `${deliveredLines.length} of ${JOBS}`,
        note: timedOut ? `stopped at the ${LIMIT_MS / 60_000}-minute limit` : `${elapsedS.toFixed(0)} s`,
      },
      {
        bench: 'instances',
        metric: 'tasks queried by two instances at once',
        value: String(overlapping),
        target: '0',
        note,
      },
      {
        bench: 'instances',
        metric: 'tasks handled by >1 instance over their life',
        value: `${multiInstance} of ${jobIds.size}`,
        note: 'BullMQ gives each step to a free instance',
      },
      { bench: 'instances', metric: 'duplicate deliveries', value: String(duplicateDeliveries), target: '0' },
      { bench: 'instances', metric: 'jobs created more than once', value: String(extraCreates), target: '0' },
      { bench: 'instances', metric: 'status queries per instance', value: perInstance.join(' / ') },
      { bench: 'instances', metric: 'provider tasks by state', value: JSON.stringify(taskStates) },
    ];
  } finally {
    await Promise.all(bots.map((b) => b.stop()));
    await emulator?.close();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** True when two queries of one task from different instances overlap in time. */
function hasCrossInstanceOverlap(list: Query[]): boolean {
  return list.some((a) => list.some((b) => a.instance < b.instance && a.start < b.end && b.start < a.end));
}
