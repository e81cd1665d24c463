// The job engines the fault-injection suites run against (test/fault-*.test.ts, test/restart.test.ts).
// Each entry's env is merged into the app or bot environment; an engine that needs a service (a Redis
// for a queue-based engine) starts it in setup(), whose returned variables are merged too, and stops
// it in teardown(). Suites call setup() once per file in beforeAll and teardown() in afterAll.

import { type RedisHandle, startRedis } from './redis-server.js';

export interface EngineEntry {
  name: string;
  env: Record<string, string>;
  /** Starts what the engine needs; returns more environment (e.g. STORE_URL). */
  setup?(): Promise<Record<string, string>>;
  teardown?(): Promise<void>;
}

/** A Redis per file for the queue engine, kept until teardown (restarts in a suite reuse it). */
let redis: RedisHandle | undefined;

export const ENGINES: EngineEntry[] = [
  { name: 'embedded', env: {} },
  {
    name: 'bullmq',
    // A killed instance's job is taken over once its lock expires: seconds here, not the default 30.
    env: { JOB_ENGINE: 'bullmq', QUEUE_LOCK_MS: '2000', QUEUE_STALLED_CHECK_MS: '1000' },
    async setup() {
      redis = await startRedis({ stopOnExit: true });
      return { STORE_URL: redis.url };
    },
    async teardown() {
      await redis?.stop();
      redis = undefined;
    },
  },
];

/** Runs the entry's setup() and returns its full environment. */
export async function engineEnv(engine: EngineEntry): Promise<Record<string, string>> {
  return { ...engine.env, ...((await engine.setup?.()) ?? {}) };
}
