// Shared by the benches that drive the real bot as a child process (shell adapter on stdin/stdout)
// against an emulator in this process: spawning it with a bench environment, /proc readings, waiting
// with a deadline, percentiles and the machine-load note every figure is reported with.
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

const CLOCK_TICKS = 100; // USER_HZ on Linux

export const AVATAR_LINE = '/avatar image=samples/face.jpg voice=samples/voice.ogg\n';

export interface BotProcess {
  child: ChildProcessByStdio<Writable, Readable, Readable | null>;
  pid: number;
  /** Resolves when the process has exited, with its exit code (null after a signal). */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL if it has not exited within 3 s; resolves once it is gone. */
  stop(): Promise<void>;
}

/**
 * Starts `adapters/main.ts` (shell adapter) with only the given environment plus PATH. Team budgets
 * are off (one operator sends everything); `onLine` gets every stdout line with its arrival time,
 * `onLog` every JSON log line from stderr (LOG_FORMAT=json).
 */
export function spawnBot(
  dir: string,
  env: Record<string, string>,
  onLine?: (line: string, at: number) => void,
  onLog?: (log: Record<string, unknown>) => void,
): BotProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      DATA_DIR: path.join(dir, 'data'),
      OUT_DIR: path.join(dir, 'out'),
      PORT: '0',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      USER_CONCURRENT_JOBS: '0',
      USER_JOBS_PER_DAY: '0',
      USER_SECONDS_PER_MONTH: '0',
      TENANT_CONCURRENT_JOBS: '0',
      TENANT_JOBS_PER_DAY: '0',
      TENANT_SECONDS_PER_MONTH: '0',
      ...env,
    },
    stdio: ['pipe', 'pipe', onLog ? 'pipe' : 'ignore'],
  }) as ChildProcessByStdio<Writable, Readable, Readable | null>;
  if (onLine) createInterface({ input: child.stdout }).on('line', (line) => onLine(line, Date.now()));
  else child.stdout.resume();
  if (onLog && child.stderr)
    createInterface({ input: child.stderr }).on('line', (line) => {
      try {
        onLog(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line (a Node warning, a stack trace)
      }
    });
  child.stdin.on('error', () => undefined); // EPIPE if it died; the bench notices by its deadline
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    pid: child.pid ?? 0,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function procStats(pid: number): Promise<{ rssBytes: number; cpuSeconds: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0); // utime + stime
  return { rssBytes: rssKb * 1024, cpuSeconds: ticks / CLOCK_TICKS };
}

/** Polls `check` every 500 ms; false once `timeoutMs` has passed without it turning true. */
export async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(500);
  }
  return true;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A loopback port free right now (the bot is told to listen on it, so PUBLIC_URL can name it). */
export { freePort } from '../test/helpers/free-port.js';

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

/** e.g. "load 1.42 1.10 0.95, 2 cores": the 1/5/15-minute load averages when the figure was taken. */
export function loadNote(): string {
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `load ${load}, ${cpus().length} cores`;
}
