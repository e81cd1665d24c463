// Routes Bolt's and the Web API client's log lines into the bot's pino logger, with known secrets
// masked first: SDK debug lines can quote request bodies, and no token may ever reach the logs.
import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../../src/logger.js';

const PINO_TO_BOLT: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
};

export function boltLogger(logger: Logger, secrets: Array<string | undefined>): BoltLogger {
  const known = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 6);
  let name = 'bolt';
  const text = (parts: unknown[]) => {
    let line = parts.map((p) => (typeof p === 'string' ? p : safeJson(p))).join(' ');
    for (const secret of known) line = line.split(secret).join('[redacted]');
    // Tokens we were not told about still have a recognisable shape.
    return line.replace(/xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+/g, '[redacted]');
  };
  // The SDK logs several debug lines per request: format nothing unless the level is on.
  const emit =
    (level: 'debug' | 'info' | 'warn' | 'error', message: string) =>
    (...msg: unknown[]) => {
      if (logger.isLevelEnabled(level)) logger[level]({ sdk: name, detail: text(msg) }, message);
    };
  return {
    debug: emit('debug', 'slack sdk log'),
    info: emit('info', 'slack sdk log'),
    warn: emit('warn', 'slack sdk warning'),
    error: emit('error', 'slack sdk error'),
    // pino's level is the one that counts; Bolt asks and sets, but cannot make it chattier.
    setLevel: () => undefined,
    getLevel: () => PINO_TO_BOLT[logger.level] ?? LogLevel.ERROR,
    setName: (value: string) => {
      name = value;
    },
  };
}

function safeJson(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
