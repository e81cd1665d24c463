// Jobs in flight: the real bot (a child process, shell adapter) is fed N `/avatar` lines against an
// emulator that keeps every task 'processing', then its resident memory and CPU are read from /proc
// while it waits. Loopback only; bounded in count and time; cleans up after itself.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type KlingEmulator, startEmulator } from '../src/kling/emulator/server.js';
import type { BenchRow } from './run.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 1000);
const WAIT_SAMPLE_SECONDS = Number(process.env.BENCH_WAIT_SECONDS ?? 30);
const KEY = 'sk-bench-0123456789';
const CLOCK_TICKS = 100; // USER_HZ on Linux

async function procStats(pid: number): Promise<{ rssBytes: number; cpuSeconds: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0); // utime + stime
  return { rssBytes: rssKb * 1024, cpuSeconds: ticks / CLOCK_TICKS };
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function run(): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-jobs-'));
  let emulator: KlingEmulator | undefined;
  const child = { pid: 0, kill: () => undefined as unknown };
  try {
    emulator = await startEmulator({
      workDir: path.join(dir, 'emulator'),
      ffmpegPath: 'ffmpeg',
      ffprobePath: 'ffprobe',
      apiKey: KEY,
      submittedMs: 1_000,
      processingMs: 3_600_000, // stays 'processing' for the whole measurement
    });
    const bot = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        DATA_DIR: path.join(dir, 'data'),
        OUT_DIR: path.join(dir, 'out'),
        COMETAPI_KEY: KEY,
        COMETAPI_BASE_URL: emulator.url,
        PORT: '0',
        LOG_LEVEL: 'warn',
        LOG_FORMAT: 'json',
        // One operator sends all of them: the team budgets (0 = no limit) must not refuse any.
        USER_CONCURRENT_JOBS: '0',
        USER_JOBS_PER_DAY: '0',
        USER_SECONDS_PER_MONTH: '0',
        TENANT_CONCURRENT_JOBS: '0',
        TENANT_JOBS_PER_DAY: '0',
        TENANT_SECONDS_PER_MONTH: '0',
      },
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    child.pid = bot.pid ?? 0;
    child.kill = () => bot.kill('SIGKILL');
    const started = Date.now();
    for (let i = 0; i < JOBS; i++)
      bot.stdin.write('/avatar image=samples/face.jpg voice=samples/voice.ogg\n');
    // stdin stays open: the bot keeps waiting for its jobs, as a chat bot would.
    const em = emulator;
    await until(
      () => em.tasks().filter((t) => t.status === 'processing').length >= JOBS,
      20 * 60_000,
      'all tasks processing',
    );
    const submitSeconds = (Date.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 15_000)); // let the first polls settle into back-off
    const before = await procStats(child.pid);
    const queriesBefore = em.stats().queries;
    await new Promise((r) => setTimeout(r, WAIT_SAMPLE_SECONDS * 1000));
    const after = await procStats(child.pid);
    const queries = em.stats().queries - queriesBefore;
    const cpuPercent = ((after.cpuSeconds - before.cpuSeconds) / WAIT_SAMPLE_SECONDS) * 100;
    const storeBytes = (await stat(path.join(dir, 'data', 'bot.sqlite'))).size;
    const creates = em.stats().creates;
    return [
      {
        bench: 'jobs',
        metric: `jobs in flight (tasks created)`,
        value: `${creates}`,
        note: `all ${JOBS} submitted in ${submitSeconds.toFixed(0)} s`,
      },
      {
        bench: 'jobs',
        metric: 'resident memory while waiting',
        value: `${(after.rssBytes / 1e6).toFixed(0)} MB`,
        target: '< 250 MB',
      },
      {
        bench: 'jobs',
        metric: 'CPU while waiting',
        value: `${cpuPercent.toFixed(1)} % of one core`,
        target: '< 5 %',
        note: `${WAIT_SAMPLE_SECONDS} s sample`,
      },
      {
        bench: 'jobs',
        metric: 'provider polls while waiting',
        value: `${(queries / WAIT_SAMPLE_SECONDS).toFixed(1)} /s`,
        note: 'back-off capped at POLL_MAX_MS',
      },
      {
        bench: 'jobs',
        metric: 'store size',
        value: `${(storeBytes / 1e6).toFixed(1)} MB`,
        note: 'SQLite file',
      },
    ];
  } finally {
    child.kill();
    await emulator?.close();
    await rm(dir, { recursive: true, force: true });
  }
}
