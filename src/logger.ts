// pino logger factory: JSON by default, pretty in a terminal, secrets redacted by path and by value.
import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Field paths whose values are always hidden, wherever they appear in a log object. */
const REDACT_PATHS = [
  'apiKey',
  'token',
  'authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.apiKey',
  '*.token',
  '*.authorization',
  '*.headers.authorization',
  'config.kling.apiKey',
  'req.headers.authorization',
];

const jobContext = new AsyncLocalStorage<{ jobId: string }>();

/**
 * Runs `work` with `jobId` attached to every log line written inside it, including lines from the
 * Kling client and media code that know nothing about jobs.
 */
export function runWithJob<T>(jobId: string, work: () => Promise<T>): Promise<T> {
  return jobContext.run({ jobId }, work);
}

export interface LoggerOptions {
  level: string;
  format: 'auto' | 'json' | 'pretty';
  /** Secret values to scrub from any log line, even inside free text. */
  secrets?: Array<string | undefined>;
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const secrets = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 6);
  const pretty = options.format === 'pretty' || (options.format === 'auto' && process.stderr.isTTY === true);
  const base: pino.LoggerOptions = {
    level: options.level,
    base: undefined,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
    mixin: () => {
      const context = jobContext.getStore();
      return context ? { jobId: context.jobId } : {};
    },
    hooks: {
      // Last line of defence: a secret that slipped into a message or error text is masked.
      streamWrite: secrets.length === 0 ? undefined : (line) => scrub(line, secrets),
    },
  };
  if (options.destination) return pino(base, options.destination);
  if (pretty) {
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: { destination: 2, translateTime: 'HH:MM:ss' } },
    });
  }
  return pino(base, pino.destination(2));
}

function scrub(line: string, secrets: string[]): string {
  let out = line;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  return out;
}

/** A logger that writes nowhere, for tests and tools. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
