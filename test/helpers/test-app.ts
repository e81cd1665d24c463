// Builds a real app (store, emulator, runner, HTTP server on a random loopback port) in a temp dir,
// with fast timings, for end-to-end tests. Nothing is faked inside the core.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type App, type AppOverrides, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, type Logger, silentLogger } from '../../src/logger.js';

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

export async function startTestApp(
  options: { env?: Record<string, string>; overrides?: AppOverrides; logger?: Logger; dir?: string } = {},
): Promise<TestApp> {
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'avatar-app-')));
  const config = loadConfig({
    ...FAST_ENV,
    DATA_DIR: path.join(dir, 'data'),
    OUT_DIR: path.join(dir, 'out'),
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
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
