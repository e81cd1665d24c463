// Standalone entry for `npm run emulator`: runs the Kling emulator as its own process so the bot (or
// any client) can point COMETAPI_BASE_URL at it. Emulator-only variables are read here, not in config.
import { z } from 'zod';
import { ConfigError } from '../../errors.js';
import { createLogger } from '../../logger.js';
import { startEmulator } from './server.js';

const optional = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const envSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  EMULATOR_HOST: z.string().default('127.0.0.1'),
  EMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  EMULATOR_WORK_DIR: z.string().default('./data/emulator'),
  EMULATOR_SUBMITTED_MS: z.coerce.number().int().min(0).default(1000),
  EMULATOR_PROCESSING_MS: z.coerce.number().int().min(0).default(3000),
  EMULATOR_API_KEY: optional,
  EMULATOR_ESPEAK_PATH: z.string().default('espeak-ng'),
  FFMPEG_PATH: optional,
  FFPROBE_PATH: optional,
});

async function main(): Promise<void> {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success)
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const env = parsed.data;
  const logger = createLogger({
    level: env.LOG_LEVEL,
    format: env.LOG_FORMAT,
    secrets: [env.EMULATOR_API_KEY],
  });

  const emulator = await startEmulator({
    host: env.EMULATOR_HOST,
    port: env.EMULATOR_PORT,
    workDir: env.EMULATOR_WORK_DIR,
    submittedMs: env.EMULATOR_SUBMITTED_MS,
    processingMs: env.EMULATOR_PROCESSING_MS,
    ffmpegPath: env.FFMPEG_PATH ?? 'ffmpeg',
    ffprobePath: env.FFPROBE_PATH ?? 'ffprobe',
    // A missing espeak-ng is not fatal: TTS falls back to a tone of plausible length.
    espeakPath: env.EMULATOR_ESPEAK_PATH,
    ...(env.EMULATOR_API_KEY ? { apiKey: env.EMULATOR_API_KEY } : {}),
    logger,
  });
  logger.info(
    { url: emulator.url, apiBase: `${emulator.url}/kling/v1`, workDir: env.EMULATOR_WORK_DIR },
    'Kling emulator ready: set COMETAPI_BASE_URL to this url',
  );

  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping Kling emulator');
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'emulator did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  createLogger({ level: 'error', format: 'auto' }).fatal({ err: error }, 'Kling emulator failed to start');
  process.exitCode = 1;
});
