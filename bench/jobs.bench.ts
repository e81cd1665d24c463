// Jobs in flight, for 1,000 and 10,000 jobs (BENCH_JOBS=1000,10000): the real bot (a child process,
// shell adapter) is fed N `/avatar` lines against an emulator that keeps every task 'processing'
// (no render: 10,000 ffmpeg encodes would swamp the machine), then its resident memory, CPU and
// provider polls are read while it waits. Loopback only; bounded in count and time; cleans up.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type KlingEmulator, startEmulator } from '../src/kling/emulator/server.js';
import { AVATAR_LINE, type BotProcess, loadNote, procStats, sleep, spawnBot, until } from './bot-process.js';
import type { BenchRow } from './run.js';
import { seedJobs } from './seed-jobs.js';

const COUNTS = (process.env.BENCH_JOBS ?? '1000,10000').split(',').map(Number);
/** One POLL_MAX_MS period: every job polls once in it, so polls/s does not depend on the phase. */
const WAIT_SAMPLE_SECONDS = Number(process.env.BENCH_WAIT_SECONDS ?? 60);
/** After the last task reaches 'processing': long enough for every job's back-off to reach its cap. */
const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 150);
const POLL_MAX_MS = 60_000; // the production default, so polls/s at the cap is N / 60
const KEY = 'sk-bench-0123456789';
/** The bot accepts a few jobs a second on 2 shared cores (ffmpeg + sharp per job), so allow 0.6 s each. */
/** 'stdin': N `/avatar` lines; 'resume': N jobs seeded into the store, then the bot restarts over it. */
const FEED = (jobs: number) => process.env.BENCH_JOBS_FEED ?? (jobs > 1000 ? 'resume' : 'stdin');
const INTAKE_LIMIT_MS = (jobs: number) =>
  Number(process.env.BENCH_INTAKE_MINUTES ?? 0) * 60_000 || 5 * 60_000 + jobs * 600;

async function runCount(jobs: number): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-jobs-'));
  let emulator: KlingEmulator | undefined;
  let bot: BotProcess | undefined;
  try {
    emulator = await startEmulator({
      workDir: path.join(dir, 'emulator'),
      ffmpegPath: 'ffmpeg',
      ffprobePath: 'ffprobe',
      apiKey: KEY,
      submittedMs: 1_000,
      processingMs: 6 * 3_600_000, // stays 'processing' for the whole measurement
      renderVideos: false,
    });
    const env = {
      COMETAPI_KEY: KEY,
      COMETAPI_BASE_URL: emulator.url,
      POLL_MAX_MS: String(POLL_MAX_MS),
      // Queued jobs must not time out before their submit while thousands are prepared ahead of them.
      JOB_DEADLINE_MS: String(6 * 3_600_000),
    };
    const feed = FEED(jobs);
    if (feed === 'resume') await seedJobs(dir, env, emulator, KEY, jobs, POLL_MAX_MS);
    let resumedAt = 0;
    bot = spawnBot(dir, env, (line, at) => {
      if (line.startsWith('resuming ')) resumedAt = at;
    });
    const started = Date.now();
    const cpuStart = await procStats(bot.pid);
    if (feed === 'stdin') for (let i = 0; i < jobs; i++) bot.child.stdin.write(AVATAR_LINE);
    else await until(() => resumedAt > 0, 10 * 60_000);
    // stdin stays open: the bot keeps waiting for its jobs, as a chat bot would.
    const em = emulator;
    const pid = bot.pid;
    const quarters: number[] = []; // seconds until 25/50/75/100 % were 'processing': shows any slow-down
    let processing = 0;
    let lastReport = Date.now();
    const done = await until(() => {
      processing = em.tasks().filter((t) => t.status === 'processing').length;
      while (quarters.length < 4 && processing >= (jobs * (quarters.length + 1)) / 4)
        quarters.push((Date.now() - started) / 1000);
      if (Date.now() - lastReport > 60_000) {
        lastReport = Date.now();
        void procStats(pid).then((s) =>
          console.log(
            `  jobs: ${processing}/${jobs} processing after ${((lastReport - started) / 1000).toFixed(0)} s, bot RSS ${(s.rssBytes / 1e6).toFixed(0)} MB`,
          ),
        );
      }
      return processing >= jobs;
    }, INTAKE_LIMIT_MS(jobs));
    if (!done) {
      const rss = (await procStats(pid)).rssBytes;
      return [
        {
          bench: 'jobs',
          metric: `${jobs}: jobs in flight`,
          value: `${processing} of ${jobs}`,
          note: `intake stopped at its ${(INTAKE_LIMIT_MS(jobs) / 60_000).toFixed(0)} min bound (25/50/75 % at ${quarters.map((q) => q.toFixed(0)).join('/')} s); RSS ${(rss / 1e6).toFixed(0)} MB; waiting figures not taken; ${loadNote()}`,
        },
      ];
    }
    const submitSeconds = (Date.now() - started) / 1000;
    const cpuSubmit = (await procStats(bot.pid)).cpuSeconds - cpuStart.cpuSeconds;
    // Polls per 5 s from the end of intake to the end of the sample: bursts show synchronised polls.
    const buckets: number[] = [];
    const watch = async (seconds: number) => {
      for (let t = 0, last = em.stats().queries; t < seconds; t += 5) {
        await sleep(5_000);
        const now = em.stats().queries;
        buckets.push((now - last) / 5);
        last = now;
      }
    };
    await watch(SETTLE_SECONDS); // let the first polls settle into back-off
    const settled = buckets.length;
    const before = await procStats(bot.pid);
    const queriesBefore = em.stats().queries;
    await watch(WAIT_SAMPLE_SECONDS);
    const after = await procStats(bot.pid);
    const queries = em.stats().queries - queriesBefore;
    const peak = Math.max(...buckets.slice(settled));
    console.log(
      `  jobs: ${jobs} polls/s per 5 s after intake: ${buckets.map((b) => b.toFixed(0)).join(' ')}`,
    );
    const cpuPercent = ((after.cpuSeconds - before.cpuSeconds) / WAIT_SAMPLE_SECONDS) * 100;
    const storeBytes = (await stat(path.join(dir, 'data', 'bot.sqlite'))).size;
    const creates = em.stats().creates;
    const row = (metric: string, value: string, extra: Partial<BenchRow> = {}): BenchRow => ({
      bench: 'jobs',
      metric: `${jobs}: ${metric}`,
      value,
      ...extra,
    });
    const perSecond = (n: number, s: number) => `${(n / s).toFixed(1)} /s`;
    return [
      feed === 'stdin'
        ? row('jobs in flight (tasks created)', `${creates}`, {
            note: `${jobs} /avatar lines, all submitted in ${submitSeconds.toFixed(0)} s (25/50/75/100 % at ${quarters.map((q) => q.toFixed(0)).join('/')} s)`,
          })
        : row('jobs in flight (tasks created)', `${creates}`, {
            note: `seeded in the store, then resumed by a fresh bot (restart path) in ${((resumedAt - started) / 1000).toFixed(1)} s`,
          }),
      row(
        feed === 'stdin' ? 'submit rate' : 'start-up CPU',
        feed === 'stdin' ? perSecond(jobs, submitSeconds) : `${cpuSubmit.toFixed(1)} s`,
        {
          note: `bot CPU ${((cpuSubmit / submitSeconds) * 100).toFixed(0)} % of one core until all were processing`,
        },
      ),
      row('resident memory while waiting', `${(after.rssBytes / 1e6).toFixed(0)} MB`, {
        target: jobs <= 1000 ? '< 250 MB' : '',
        note: `${(after.rssBytes / jobs / 1e3).toFixed(1)} kB per job (incl. the runtime)`,
      }),
      row('CPU while waiting', `${cpuPercent.toFixed(1)} % of one core`, {
        target: jobs <= 1000 ? '< 5 %' : '',
        note: `${WAIT_SAMPLE_SECONDS} s sample, ${SETTLE_SECONDS} s after all were in flight; ${loadNote()}`,
      }),
      row('provider polls while waiting', perSecond(queries, WAIT_SAMPLE_SECONDS), {
        note: `cap model N / POLL_MAX_MS = ${perSecond(jobs, POLL_MAX_MS / 1000)}; busiest 5 s of the sample: ${peak.toFixed(0)} /s`,
      }),
      row('store size', `${(storeBytes / 1e6).toFixed(1)} MB`, {
        note: `SQLite file, ${(storeBytes / jobs / 1e3).toFixed(1)} kB per job`,
      }),
    ];
  } finally {
    await bot?.stop();
    await emulator?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const jobs of COUNTS) {
    console.log(`  jobs: ${jobs} in flight…`);
    rows.push(...(await runCount(jobs)));
  }
  return rows;
}
