// The bot's whole configuration: read from the environment once at start-up, validated with zod, and
// reported as one error that lists every missing or malformed variable. Nothing else reads process.env.
import path from 'node:path';
import { z } from 'zod';
import { parseShardSettings, type ShardSettings } from './config-shards.js';
import { ConfigError } from './errors.js';

const MB = 1_000_000;

const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const num = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().min(min).max(max).default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v));
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();
const optionalUrl = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(z.url({ protocol: /^https?$/ }).optional())
  .optional();

/** Environment variables, their defaults and limits. The README's configuration table mirrors this. */
export const envSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  HOST: z.string().default('127.0.0.1'),
  PORT: int(3000, 0, 65535),
  PUBLIC_URL: optionalUrl,
  DATA_DIR: z.string().default('./data'),
  OUT_DIR: z.string().default('./out'),
  STORE_URL: optionalString,
  JOB_ENGINE: z.enum(['auto', 'embedded', 'bullmq']).default('auto'),
  QUEUE_CONCURRENCY: int(50, 1, 1000),
  QUEUE_RATE_MAX: int(50, 1, 100_000),
  QUEUE_RATE_WINDOW_MS: int(1_000, 10, 3_600_000),
  QUEUE_LOCK_MS: int(30_000, 1_000, 600_000),
  QUEUE_STALLED_CHECK_MS: int(15_000, 500, 600_000),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,30}$/)
    .default('avatar'),

  COMETAPI_KEY: optionalString,
  COMETAPI_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.cometapi.com'),
  KLING_REQUEST_TIMEOUT_MS: int(30_000, 1_000),
  KLING_MAX_RETRIES: int(4, 0, 10),
  KLING_SUBMIT_CONCURRENCY: int(3, 1, 100),
  KLING_AUDIO_TRANSPORT: z.enum(['auto', 'url', 'base64']).default('auto'),

  DEFAULT_MODE: z.enum(['std', 'pro']).default('std'),
  DEFAULT_PROMPT: z
    .string()
    .min(1)
    .default('The person speaks naturally to the camera with a calm, friendly expression.'),
  PROMPT_MAX_CHARS: int(2500, 1, 2500),

  IMAGE_MIN_SIDE: int(300, 1),
  IMAGE_MAX_UPSCALE: num(2, 1, 4),
  IMAGE_MAX_SIDE: int(2048, 300),
  IMAGE_MAX_BYTES: int(10 * MB, 100_000),
  IMAGE_MAX_PIXELS: int(40_000_000, 1_000_000),
  IMAGE_ASPECT_FIX: z.enum(['crop', 'pad', 'refuse']).default('crop'),

  AUDIO_MIN_SECONDS: num(2, 0.5),
  AUDIO_MAX_SECONDS: num(60, 2, 300),
  AUDIO_MAX_TOTAL_SECONDS: num(300, 2, 1800),
  SPLIT_CONCURRENCY: int(2, 1, 20),
  SPLIT_SEARCH_SECONDS: num(8, 0.5, 60),
  AUDIO_MAX_BYTES: int(5 * MB, 100_000),
  INPUT_MAX_BYTES: int(25 * 1024 * 1024, 1_000_000),
  MEDIA_CONCURRENCY: int(2, 1, 64),

  TTS_VOICE_ID: z.string().min(1).default('oversea_male1'),
  TTS_LANGUAGE: z.enum(['en', 'zh']).default('en'),
  TTS_SPEED: num(1, 0.8, 2),
  TTS_MAX_CHARS: int(1000, 1, 1000),

  POLL_FIRST_MS: int(10_000, 10),
  POLL_MAX_MS: int(60_000, 10),
  JOB_DEADLINE_MS: int(20 * 60_000, 1_000),

  PRICE_STD_PER_SECOND: num(0.056, 0),
  PRICE_PRO_PER_SECOND: num(0.112, 0),

  CONFIRM_THRESHOLD_USD: num(0.5, 0),
  CONFIRM_PRO: bool(true),
  CONFIRM_TTL_MINUTES: num(10, 0.01, 1440),
  CONSENT_REQUIRED: bool(true),
  SHELL_ASSUME_CONSENT: bool(true),
  USER_CONCURRENT_JOBS: int(3),
  USER_JOBS_PER_DAY: int(20),
  USER_SECONDS_PER_MONTH: int(600),
  TENANT_CONCURRENT_JOBS: int(10),
  TENANT_JOBS_PER_DAY: int(200),
  TENANT_SECONDS_PER_MONTH: int(6000),
  RESULT_VISIBILITY: z.enum(['thread', 'channel', 'dm']).default('thread'),
  INPUT_RETENTION_HOURS: num(6, 0),
  RESULT_RETENTION_HOURS: num(72, 0),
  RETENTION_SWEEP_MINUTES: num(15, 0.001, 1440),

  FFMPEG_PATH: optionalString,
  FFPROBE_PATH: optionalString,

  EMULATOR_PROCESSING_MS: int(3_000, 0),

  DISCORD_TOKEN: optionalString,
  DISCORD_APPLICATION_ID: optionalString,
  DISCORD_PUBLIC_KEY: optionalString,
  DISCORD_MODE: z.enum(['gateway', 'http']).default('gateway'),
  DISCORD_GUILD_ID: optionalString,
  DISCORD_API_URL: optionalUrl,
  DISCORD_SHARDS: optionalString,
  DISCORD_SHARD_IDS: optionalString,

  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString,
  SLACK_CLIENT_ID: optionalString,
  SLACK_CLIENT_SECRET: optionalString,
  SLACK_STATE_SECRET: optionalString,
  SLACK_API_URL: optionalUrl,

  MEDIA_LINK_TTL_HOURS: num(72, 1),
  EMULATOR_SUBMITTED_MS: int(1_000, 0),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  log: { level: Env['LOG_LEVEL']; format: Env['LOG_FORMAT'] };
  http: { host: string; port: number; publicUrl: string | undefined };
  paths: { dataDir: string; outDir: string };
  store: { url: string };
  /**
   * The job engine: in-process timers (embedded, one process) or BullMQ on the Redis in STORE_URL
   * (several instances). `rate*` caps step runs across all instances; `lockMs` is how long a dead
   * instance's job stays claimed before another instance takes it over.
   */
  queue: {
    engine: 'embedded' | 'bullmq';
    concurrency: number;
    rateMax: number;
    rateWindowMs: number;
    lockMs: number;
    stalledCheckMs: number;
    prefix: string;
  };
  kling: {
    /** Undefined means: run against the built-in emulator. */
    apiKey: string | undefined;
    baseUrl: string;
    requestTimeoutMs: number;
    maxRetries: number;
    submitConcurrency: number;
    audioTransport: Env['KLING_AUDIO_TRANSPORT'];
  };
  request: { defaultMode: 'std' | 'pro'; defaultPrompt: string; promptMaxChars: number };
  image: {
    minSide: number;
    maxUpscale: number;
    maxSide: number;
    maxBytes: number;
    maxPixels: number;
    aspectFix: Env['IMAGE_ASPECT_FIX'];
  };
  audio: { minSeconds: number; maxSeconds: number; maxBytes: number };
  /** Voice notes longer than audio.maxSeconds are split at pauses into parts (one task each). */
  split: { maxTotalSeconds: number; concurrency: number; searchSeconds: number };
  media: { inputMaxBytes: number; concurrency: number; ffmpegPath?: string; ffprobePath?: string };
  tts: { voiceId: string; language: 'en' | 'zh'; speed: number; maxChars: number };
  follow: { pollFirstMs: number; pollMaxMs: number; deadlineMs: number };
  prices: { std: number; pro: number };
  /** Team controls (src/controls): confirmation, consent, default limits, retention. */
  controls: {
    confirmThresholdUsd: number;
    confirmPro: boolean;
    confirmTtlMs: number;
    consentRequired: boolean;
    limits: {
      user: { concurrent: number; perDay: number; secondsPerMonth: number };
      tenant: { concurrent: number; perDay: number; secondsPerMonth: number };
    };
    visibility: Env['RESULT_VISIBILITY'];
    inputRetentionMs: number;
    resultRetentionMs: number;
    sweepIntervalMs: number;
  };
  shell: { assumeConsent: boolean };
  emulator: { submittedMs: number; processingMs: number };
  /** Set when DISCORD_TOKEN is set. */
  discord:
    | {
        token: string;
        applicationId: string | undefined;
        publicKey: string | undefined;
        mode: 'gateway' | 'http';
        guildId: string | undefined;
        apiUrl: string | undefined;
        /** Gateway sharding; undefined keeps discord.js's single shard. */
        shards: ShardSettings | undefined;
      }
    | undefined;
  /** Set when SLACK_BOT_TOKEN or the OAuth trio is set. */
  slack:
    | {
        botToken: string | undefined;
        signingSecret: string | undefined;
        appToken: string | undefined;
        oauth: { clientId: string; clientSecret: string; stateSecret: string } | undefined;
        apiUrl: string | undefined;
      }
    | undefined;
  /** How long /media/<token> links to results stay valid. */
  mediaLinkTtlMs: number;
}

/** Parses the environment; throws one ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.POLL_MAX_MS < e.POLL_FIRST_MS) problems.push('POLL_MAX_MS: must be at least POLL_FIRST_MS');
  if (e.AUDIO_MAX_SECONDS <= e.AUDIO_MIN_SECONDS)
    problems.push('AUDIO_MAX_SECONDS: must be greater than AUDIO_MIN_SECONDS');
  if (e.AUDIO_MAX_TOTAL_SECONDS < e.AUDIO_MAX_SECONDS)
    problems.push('AUDIO_MAX_TOTAL_SECONDS: must be at least AUDIO_MAX_SECONDS');
  else if (
    e.AUDIO_MAX_TOTAL_SECONDS > e.AUDIO_MAX_SECONDS &&
    e.AUDIO_MAX_SECONDS < 2 * e.AUDIO_MIN_SECONDS + 1
  )
    problems.push('AUDIO_MAX_SECONDS: must be at least 2 × AUDIO_MIN_SECONDS + 1 to split long voice notes');
  if (e.KLING_AUDIO_TRANSPORT === 'url' && !e.PUBLIC_URL)
    problems.push('KLING_AUDIO_TRANSPORT: "url" needs PUBLIC_URL so the video service can fetch the audio');
  if (e.STORE_URL && !/^(redis|rediss|sqlite):\/\//.test(e.STORE_URL))
    problems.push('STORE_URL: must start with redis://, rediss:// or sqlite://');
  const onRedis = /^rediss?:\/\//.test(e.STORE_URL ?? '');
  if (e.JOB_ENGINE === 'bullmq' && !onRedis)
    problems.push('JOB_ENGINE: "bullmq" needs STORE_URL=redis://… (the queue lives in the same Redis)');
  problems.push(...platformProblems(e));
  const shards = parseShardSettings(e.DISCORD_SHARDS, e.DISCORD_SHARD_IDS);
  problems.push(...shards.problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = path.resolve(e.DATA_DIR);
  return {
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
    http: { host: e.HOST, port: e.PORT, publicUrl: e.PUBLIC_URL?.replace(/\/+$/, '') },
    paths: { dataDir, outDir: path.resolve(e.OUT_DIR) },
    store: { url: e.STORE_URL ?? `sqlite://${path.join(dataDir, 'bot.sqlite')}` },
    queue: {
      engine: e.JOB_ENGINE === 'embedded' || (e.JOB_ENGINE === 'auto' && !onRedis) ? 'embedded' : 'bullmq',
      concurrency: e.QUEUE_CONCURRENCY,
      rateMax: e.QUEUE_RATE_MAX,
      rateWindowMs: e.QUEUE_RATE_WINDOW_MS,
      lockMs: e.QUEUE_LOCK_MS,
      stalledCheckMs: e.QUEUE_STALLED_CHECK_MS,
      prefix: e.QUEUE_PREFIX,
    },
    kling: {
      apiKey: e.COMETAPI_KEY,
      baseUrl: e.COMETAPI_BASE_URL.replace(/\/+$/, ''),
      requestTimeoutMs: e.KLING_REQUEST_TIMEOUT_MS,
      maxRetries: e.KLING_MAX_RETRIES,
      submitConcurrency: e.KLING_SUBMIT_CONCURRENCY,
      audioTransport: e.KLING_AUDIO_TRANSPORT,
    },
    request: {
      defaultMode: e.DEFAULT_MODE,
      defaultPrompt: e.DEFAULT_PROMPT,
      promptMaxChars: e.PROMPT_MAX_CHARS,
    },
    image: {
      minSide: e.IMAGE_MIN_SIDE,
      maxUpscale: e.IMAGE_MAX_UPSCALE,
      maxSide: e.IMAGE_MAX_SIDE,
      maxBytes: e.IMAGE_MAX_BYTES,
      maxPixels: e.IMAGE_MAX_PIXELS,
      aspectFix: e.IMAGE_ASPECT_FIX,
    },
    audio: { minSeconds: e.AUDIO_MIN_SECONDS, maxSeconds: e.AUDIO_MAX_SECONDS, maxBytes: e.AUDIO_MAX_BYTES },
    split: {
      maxTotalSeconds: e.AUDIO_MAX_TOTAL_SECONDS,
      concurrency: e.SPLIT_CONCURRENCY,
      searchSeconds: e.SPLIT_SEARCH_SECONDS,
    },
    media: {
      inputMaxBytes: e.INPUT_MAX_BYTES,
      concurrency: e.MEDIA_CONCURRENCY,
      ...(e.FFMPEG_PATH ? { ffmpegPath: e.FFMPEG_PATH } : {}),
      ...(e.FFPROBE_PATH ? { ffprobePath: e.FFPROBE_PATH } : {}),
    },
    tts: { voiceId: e.TTS_VOICE_ID, language: e.TTS_LANGUAGE, speed: e.TTS_SPEED, maxChars: e.TTS_MAX_CHARS },
    follow: { pollFirstMs: e.POLL_FIRST_MS, pollMaxMs: e.POLL_MAX_MS, deadlineMs: e.JOB_DEADLINE_MS },
    prices: { std: e.PRICE_STD_PER_SECOND, pro: e.PRICE_PRO_PER_SECOND },
    controls: {
      confirmThresholdUsd: e.CONFIRM_THRESHOLD_USD,
      confirmPro: e.CONFIRM_PRO,
      confirmTtlMs: Math.round(e.CONFIRM_TTL_MINUTES * 60_000),
      consentRequired: e.CONSENT_REQUIRED,
      limits: {
        user: {
          concurrent: e.USER_CONCURRENT_JOBS,
          perDay: e.USER_JOBS_PER_DAY,
          secondsPerMonth: e.USER_SECONDS_PER_MONTH,
        },
        tenant: {
          concurrent: e.TENANT_CONCURRENT_JOBS,
          perDay: e.TENANT_JOBS_PER_DAY,
          secondsPerMonth: e.TENANT_SECONDS_PER_MONTH,
        },
      },
      visibility: e.RESULT_VISIBILITY,
      inputRetentionMs: Math.round(e.INPUT_RETENTION_HOURS * 3_600_000),
      resultRetentionMs: Math.round(e.RESULT_RETENTION_HOURS * 3_600_000),
      sweepIntervalMs: Math.round(e.RETENTION_SWEEP_MINUTES * 60_000),
    },
    shell: { assumeConsent: e.SHELL_ASSUME_CONSENT },
    emulator: { submittedMs: e.EMULATOR_SUBMITTED_MS, processingMs: e.EMULATOR_PROCESSING_MS },
    discord: e.DISCORD_TOKEN
      ? {
          token: e.DISCORD_TOKEN,
          applicationId: e.DISCORD_APPLICATION_ID,
          publicKey: e.DISCORD_PUBLIC_KEY,
          mode: e.DISCORD_MODE,
          guildId: e.DISCORD_GUILD_ID,
          apiUrl: e.DISCORD_API_URL?.replace(/\/+$/, ''),
          shards: shards.settings,
        }
      : undefined,
    slack:
      e.SLACK_BOT_TOKEN || e.SLACK_CLIENT_ID
        ? {
            botToken: e.SLACK_BOT_TOKEN,
            signingSecret: e.SLACK_SIGNING_SECRET,
            appToken: e.SLACK_APP_TOKEN,
            oauth:
              e.SLACK_CLIENT_ID && e.SLACK_CLIENT_SECRET && e.SLACK_STATE_SECRET
                ? {
                    clientId: e.SLACK_CLIENT_ID,
                    clientSecret: e.SLACK_CLIENT_SECRET,
                    stateSecret: e.SLACK_STATE_SECRET,
                  }
                : undefined,
            apiUrl: e.SLACK_API_URL,
          }
        : undefined,
    mediaLinkTtlMs: e.MEDIA_LINK_TTL_HOURS * 3_600_000,
  };
}

/** Cross-variable rules for the chat platforms, so a half-configured platform fails at start-up. */
function platformProblems(e: Env): string[] {
  const problems: string[] = [];
  if (e.DISCORD_TOKEN) {
    if (!e.DISCORD_APPLICATION_ID)
      problems.push('DISCORD_APPLICATION_ID: required when DISCORD_TOKEN is set');
    if (e.DISCORD_MODE === 'http' && !e.DISCORD_PUBLIC_KEY)
      problems.push('DISCORD_PUBLIC_KEY: required when DISCORD_MODE=http');
    if (e.DISCORD_PUBLIC_KEY && !/^[0-9a-f]{64}$/i.test(e.DISCORD_PUBLIC_KEY))
      problems.push('DISCORD_PUBLIC_KEY: must be the 64-character hex key from the Discord developer portal');
  }
  const slackOauth = [e.SLACK_CLIENT_ID, e.SLACK_CLIENT_SECRET, e.SLACK_STATE_SECRET].filter(Boolean).length;
  if (slackOauth > 0 && slackOauth < 3)
    problems.push(
      'SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET: set all three for multi-workspace OAuth',
    );
  if ((e.SLACK_BOT_TOKEN || slackOauth === 3) && !e.SLACK_APP_TOKEN && !e.SLACK_SIGNING_SECRET)
    problems.push(
      'SLACK_SIGNING_SECRET: required for Slack HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)',
    );
  return problems;
}
