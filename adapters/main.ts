// Entry point (`npm start`): load and validate the configuration, build the core, attach the adapter
// for the configured platform (the terminal adapter when none is), and shut down cleanly on signals.

import { createApp } from '../src/app.js';
import { type Config, loadConfig } from '../src/config.js';
import { AvatarError, ConfigError } from '../src/errors.js';
import { createLogger } from '../src/logger.js';
import { startDiscordAdapter } from './discord/index.js';
import { DEMO_LINE, runShell } from './shell/index.js';
import { startSlackAdapter } from './slack/index.js';

function fatal(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) fatal(error.message);
  throw error;
}

const logger = createLogger({
  level: config.log.level,
  format: config.log.format,
  secrets: [
    config.kling.apiKey,
    config.discord?.token,
    config.slack?.botToken,
    config.slack?.signingSecret,
    config.slack?.appToken,
    config.slack?.oauth?.clientSecret,
    config.slack?.oauth?.stateSecret,
  ],
});

const app = await createApp(config, logger).catch((error: unknown) => {
  if (error instanceof AvatarError) fatal(`Cannot start: ${error.message}`);
  fatal(`Cannot start: ${error instanceof Error ? error.message : String(error)}`);
});

const platforms: Array<{ stop(): Promise<void> }> = [];

/**
 * Shutdown budget, inside Docker's and Kubernetes' default 10 s grace before SIGKILL: up to 8 s to drain
 * (HTTP requests already received finish and send their acks; adapters stop and finish their
 * background work), then the app closes (job runner stopped, store flushed and closed). At 10 s the
 * process exits whatever is left; every job is durable, so the next start resumes it.
 */
const DRAIN_BUDGET_MS = 8_000;
const SHUTDOWN_BUDGET_MS = 10_000;

let closing = false;
async function shutdown(signal: string, code: number): Promise<void> {
  if (closing) return;
  closing = true;
  const started = Date.now();
  logger.info({ signal }, 'shutting down');
  setTimeout(() => {
    logger.error({ signal, ms: Date.now() - started }, 'shutdown budget exceeded, exiting now');
    process.exit(code === 0 ? 1 : code);
  }, SHUTDOWN_BUDGET_MS).unref();
  let timer: NodeJS.Timeout | undefined;
  const drainDeadline = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), DRAIN_BUDGET_MS);
  });
  const draining = Promise.allSettled([
    app.server.drain(DRAIN_BUDGET_MS),
    ...platforms.map((platform) =>
      platform
        .stop()
        .catch((error: unknown) => logger.error({ err: error }, 'error while stopping an adapter')),
    ),
  ]);
  if ((await Promise.race([draining, drainDeadline])) === 'late')
    logger.warn({ ms: DRAIN_BUDGET_MS }, 'adapters still busy after the drain budget; closing anyway');
  clearTimeout(timer);
  await app.close().catch((error: unknown) => logger.error({ err: error }, 'error while closing'));
  logger.info({ signal, ms: Date.now() - started }, 'shut down');
  process.exit(code);
}
process.on('SIGINT', () => void shutdown('SIGINT', 130));
process.on('SIGTERM', () => void shutdown('SIGTERM', 0));

try {
  if (config.discord) platforms.push(await startDiscordAdapter(app, config.discord));
  if (config.slack) platforms.push(await startSlackAdapter(app, config.slack));
} catch (error) {
  logger.fatal({ err: error }, 'a chat platform adapter could not start');
  await shutdown('adapter start failure', 2);
}

if (platforms.length > 0) {
  // Chat platforms run until a signal; jobs left by an earlier run carry on now.
  const resumed = await app.service.resume();
  logger.info({ resumed, platforms: platforms.length }, 'bot ready');
} else {
  const demo = process.argv.includes('--demo');
  const code = await runShell(app, {
    input: process.stdin,
    output: process.stdout,
    ...(demo ? { preset: [DEMO_LINE] } : {}),
  });
  await shutdown('end of input', code);
}
