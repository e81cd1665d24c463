// Runs the real bot (`adapters/main.ts`) as a child process, for tests that kill and restart it.
// Collects stdout lines and JSON log lines so a test can wait for a phase before pulling the plug.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface BotProcess {
  child: ChildProcess;
  stdout: string[];
  logs: Array<Record<string, unknown>>;
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the first stdout line (already printed or to come) that `match` accepts. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Writes a line to stdin (only with `keepInputOpen`). */
  send(line: string): void;
  /** Ends stdin, like Ctrl-D: the shell then waits for its jobs and exits. */
  endInput(): void;
  exited: Promise<number | null>;
  kill(): Promise<void>;
}

/**
 * `input` is written to stdin, which then ends unless `keepInputOpen` is set (a test that answers a
 * waiting job later needs it open, as the shell cancels waiting jobs once its input has ended).
 */
/**
 * What every real-bot test starts from: its own data and output folders under `dir`, the emulator
 * as the provider with a real key (so it sends no callbacks of its own), info logs, quick polls.
 */
export function botTestEnv(
  dir: string,
  provider: { url: string; apiKey: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATA_DIR: path.join(dir, 'data'),
    OUT_DIR: path.join(dir, 'out'),
    COMETAPI_KEY: provider.apiKey,
    COMETAPI_BASE_URL: provider.url,
    PORT: '0',
    LOG_LEVEL: 'info',
    POLL_FIRST_MS: '300',
    POLL_MAX_MS: '1000',
    ...extra,
  };
}

export function startBot(
  env: Record<string, string>,
  input?: string,
  options: { keepInputOpen?: boolean } = {},
): BotProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_FORMAT: 'json', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const waiters: Array<{ msg: string; resolve: (l: Record<string, unknown>) => void }> = [];
  const lineWaiters: Array<{ match: (line: string) => boolean; resolve: (line: string) => void }> = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    stdout.push(line);
    for (const w of lineWaiters.filter((x) => x.match(line))) w.resolve(line);
  });
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      for (const w of waiters.filter((x) => x.msg === entry.msg)) w.resolve(entry);
    } catch {
      logs.push({ msg: 'non-json', line });
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (options.keepInputOpen) {
    if (input) child.stdin?.write(input);
  } else child.stdin?.end(input ?? '');
  return {
    child,
    stdout,
    logs,
    exited,
    waitForLog(msg, timeoutMs = 30_000) {
      const seen = logs.find((l) => l.msg === msg);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${msg}" log within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          msg,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
    waitForLine(match, timeoutMs = 30_000) {
      const seen = stdout.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching stdout line within ${timeoutMs} ms`)),
          timeoutMs,
        );
        lineWaiters.push({
          match,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
    send(line) {
      child.stdin?.write(`${line}\n`);
    },
    endInput() {
      child.stdin?.end();
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
