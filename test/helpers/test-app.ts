// Builds a real app (store, emulator, runner, HTTP server on a random loopback port) in a temp dir,
// with fast timings, for end-to-end tests. Nothing is faked inside the core.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type App, type AppOverrides, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, type Logger, silentLogger } from '../../src/logger.js';
import { type RedisHandle, startRedis } from './redis-server.js';

export const SAMPLE_FACE = path.resolve('samples/face.jpg');
export const SAMPLE_VOICE = path.resolve('samples/voice.ogg');

export interface TestApp {
  app: App;
  dir: string;
  close(): Promise<void>;
}

/** Fast settings: the emulator finishes in well under a second and polls come quickly. */
export const FAST_ENV: Record<string, string> = {
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'silent',
  EMULATOR_SUBMITTED_MS: '50',
  EMULATOR_PROCESSING_MS: '300',
  POLL_FIRST_MS: '200',
  POLL_MAX_MS: '1000',
  // Team controls that wait for a person's click are off here; the controls tests turn them on.
  CONSENT_REQUIRED: 'false',
  CONFIRM_PRO: 'false',
  CONFIRM_THRESHOLD_USD: '100',
};

/**
 * The job engine end-to-end tests run on: the embedded scheduler by default, BullMQ on a real
 * redis-server (one per app, so apps never share a queue) when TEST_JOB_ENGINE=bullmq — the
 * `bullmq` vitest project sets it, so the same tests run on both engines.
 */
export const TEST_JOB_ENGINE = process.env.TEST_JOB_ENGINE === 'bullmq' ? 'bullmq' : 'embedded';

/** Redis servers of apps that restart over the same folder: kept until the test process exits. */
const redisByDir = new Map<string, Promise<RedisHandle>>();

async function engineEnv(
  env: Record<string, string> | undefined,
  sharedDir: string | undefined,
): Promise<{ env: Record<string, string>; redis?: RedisHandle }> {
  if (TEST_JOB_ENGINE !== 'bullmq' || env?.STORE_URL || env?.JOB_ENGINE) return { env: {} };
  if (sharedDir) {
    // A "restart" over the same folder must find the same store, as it would on a real deployment.
    let shared = redisByDir.get(sharedDir);
    if (!shared) {
      shared = startRedis({ stopOnExit: true });
      redisByDir.set(sharedDir, shared);
    }
    return { env: { STORE_URL: (await shared).url, JOB_ENGINE: 'bullmq' } };
  }
  const redis = await startRedis();
  return { env: { STORE_URL: redis.url, JOB_ENGINE: 'bullmq' }, redis };
}

export async function startTestApp(
  options: { env?: Record<string, string>; overrides?: AppOverrides; logger?: Logger; dir?: string } = {},
): Promise<TestApp> {
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'avatar-app-')));
  const engine = await engineEnv(options.env, options.dir);
  const config = loadConfig({
    ...FAST_ENV,
    DATA_DIR: path.join(dir, 'data'),
    OUT_DIR: path.join(dir, 'out'),
    ...engine.env,
    ...options.env,
  });
  const logger =
    options.logger ??
    (process.env.TEST_LOG ? createLogger({ level: 'debug', format: 'pretty' }) : silentLogger());
  const app = await createApp(config, logger, options.overrides);
  return {
    app,
    dir,
    async close() {
      await app.close();
      await engine.redis?.stop();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
