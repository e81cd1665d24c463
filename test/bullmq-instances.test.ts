// Several instances on one Redis with the BullMQ engine: every job is driven by one instance at a time
// (no two instances ever query the provider for the same task at once), delivered exactly once and
// created exactly once; a callback that reaches any instance brings the job's next poll forward; and
// when the instance holding a job is SIGKILLed, another live instance takes the job over.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvatarApi } from '../src/jobs/ports.js';
import type { KlingEmulator } from '../src/kling/emulator/server.js';
import { API_KEY, startTestEmulator } from './emulator-helpers.js';
import { avatarRequest } from './helpers/avatar-request.js';
import { type BotProcess, startBot } from './helpers/bot-process.js';
import { freePort } from './helpers/free-port.js';
import { RecordingAdapter } from './helpers/recording-adapter.js';
import { type RedisHandle, startRedis } from './helpers/redis-server.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

interface ProviderCall {
  instance: number;
  kind: 'create' | 'query';
  id: string;
  start: number;
  end: number;
}

/** Wraps the real Kling client at the network edge to see which instance calls for which task. */
function recordCalls(instance: number, calls: ProviderCall[]) {
  return (real: AvatarApi): AvatarApi => ({
    async createAvatarTask(body, signal) {
      const start = performance.now();
      try {
        return await real.createAvatarTask(body, signal);
      } finally {
        calls.push({
          instance,
          kind: 'create',
          id: body.external_task_id ?? '',
          start,
          end: performance.now(),
        });
      }
    },
    async getAvatarTask(id, signal) {
      const start = performance.now();
      try {
        return await real.getAvatarTask(id, signal);
      } finally {
        calls.push({ instance, kind: 'query', id, start, end: performance.now() });
      }
    },
    synthesizeSpeech: (body, options) => real.synthesizeSpeech(body, options),
  });
}

/** Pairs of calls for the same task, from different instances, whose time spans overlap. */
function overlappingFollowers(calls: ProviderCall[]): number {
  let overlaps = 0;
  for (const a of calls)
    for (const b of calls)
      if (a.instance < b.instance && a.id === b.id && a.start < b.end && b.start < a.end) overlaps++;
  return overlaps;
}

describe('BullMQ: several instances on one Redis', () => {
  let root: string;
  let redis: RedisHandle;
  let emulator: KlingEmulator;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'instances-'));
    redis = await startRedis();
    emulator = await startTestEmulator(root, { submittedMs: 100, processingMs: 1_500 });
  });
  afterAll(async () => {
    await emulator.close();
    await redis.stop();
    await rm(root, { recursive: true, force: true });
  });

  /** Instances share the Redis, the emulator and the data folder (a shared volume in production). */
  function instanceEnv(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      STORE_URL: redis.url,
      JOB_ENGINE: 'bullmq',
      QUEUE_PREFIX: prefix,
      COMETAPI_KEY: API_KEY,
      COMETAPI_BASE_URL: emulator.url,
      POLL_FIRST_MS: '150',
      POLL_MAX_MS: '400',
      TENANT_CONCURRENT_JOBS: '100',
      USER_CONCURRENT_JOBS: '100',
      ...extra,
    };
  }

  it('three instances, 15 jobs: one follower at a time, one create and one delivery per job', async () => {
    const dir = path.join(root, 'three');
    const calls: ProviderCall[] = [];
    const adapters = [0, 1, 2].map(() => new RecordingAdapter());
    const apps: TestApp[] = [];
    for (const i of [0, 1, 2]) {
      const t = await startTestApp({
        dir,
        env: instanceEnv('three'),
        overrides: { api: recordCalls(i, calls) },
      });
      t.app.service.registerAdapter(adapters[i] as RecordingAdapter);
      await t.app.service.resume();
      apps.push(t);
    }
    try {
      const jobIds: string[] = [];
      for (let n = 0; n < 15; n++) {
        const app = apps[n % 3] as TestApp;
        jobIds.push((await app.app.service.submit(avatarRequest({ id: `u${n}` }))).jobId);
      }
      const deadline = Date.now() + 100_000;
      const delivered = () => adapters.flatMap((a) => a.deliveries.map((d) => d.jobId));
      while (delivered().length < jobIds.length && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      await Promise.all(apps.map((t) => t.app.service.idle()));

      expect(delivered().sort()).toEqual([...jobIds].sort());
      const stats = emulator.stats();
      for (const id of jobIds) expect(stats.createsByExternalId[id]).toBe(1);
      expect(calls.filter((c) => c.kind === 'query').length).toBeGreaterThanOrEqual(jobIds.length);
      expect(overlappingFollowers(calls)).toBe(0);
    } finally {
      for (const t of apps) await t.close();
    }
  }, 120_000);

  it('a callback that lands on another instance brings the poll forward', async () => {
    const dir = path.join(root, 'callback');
    const portB = await freePort();
    // Both instances advertise B as the public URL, as a load balancer would route it.
    const env = instanceEnv('callback', {
      PUBLIC_URL: `http://127.0.0.1:${portB}`,
      POLL_FIRST_MS: '20000',
      POLL_MAX_MS: '20000',
    });
    const adapters = [new RecordingAdapter(), new RecordingAdapter()];
    const a = await startTestApp({ dir, env });
    const b = await startTestApp({ dir, env: { ...env, PORT: String(portB) } });
    a.app.service.registerAdapter(adapters[0] as RecordingAdapter);
    b.app.service.registerAdapter(adapters[1] as RecordingAdapter);
    try {
      const started = Date.now();
      const { jobId } = await a.app.service.submit(avatarRequest({ id: 'cb' }));
      // Whichever instance runs the delivery step delivers; either way, exactly once.
      const outcome = await Promise.race(adapters.map((r) => r.finished(jobId, 15_000)));
      expect(outcome.phase).toBe('delivered');
      // Without the callback the first poll would come 20 s after submission.
      expect(Date.now() - started).toBeLessThan(12_000);
      expect(adapters.flatMap((r) => r.deliveries)).toHaveLength(1);
      expect(emulator.stats().createsByExternalId[jobId]).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('when the instance driving a job is killed, another live instance takes it over', async () => {
    const dir = path.join(root, 'takeover');
    const env = {
      ...instanceEnv('takeover', { QUEUE_LOCK_MS: '2000', QUEUE_STALLED_CHECK_MS: '1000' }),
      DATA_DIR: path.join(dir, 'data'),
      OUT_DIR: path.join(dir, 'out'),
      PORT: '0',
      LOG_LEVEL: 'info',
      CONSENT_REQUIRED: 'false',
      CONFIRM_PRO: 'false',
      CONFIRM_THRESHOLD_USD: '100',
    };
    const first = startBot(env, '/avatar image=samples/face.jpg voice=samples/voice.ogg\n');
    let second: BotProcess | undefined;
    try {
      const jobId = String((await first.waitForLog('job accepted')).jobId);
      await first.waitForLog('kling task submitted');
      // Hang the provider so the first instance is caught in the middle of a poll, holding the job.
      emulator.setFaults({ timeoutRate: 1, timeoutMs: 20_000 });
      await until(() => (emulator.stats().faultsInjected.timeout ?? 0) >= 1, 10_000);
      second = startBot(env, undefined, { keepInputOpen: true });
      await second.waitForLog('scheduler ready');
      await first.kill();
      emulator.resetFaults();
      second.endInput();
      const code = await second.exited;

      expect(code).toBe(0);
      expect(first.stdout.some((l) => l.startsWith('video: '))).toBe(false);
      expect(second.stdout.filter((l) => l.startsWith('video: '))).toHaveLength(1);
      expect(second.logs.some((l) => l.msg === 'stalled step taken over' && l.jobId === jobId)).toBe(true);
      expect(emulator.stats().createsByExternalId[jobId]).toBe(1);
    } finally {
      emulator.resetFaults();
      // A failed run must not leave either bot behind.
      for (const bot of [first, second]) if (bot && bot.child.exitCode === null) await bot.kill();
    }
  });
});

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
