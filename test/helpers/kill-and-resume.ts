// SIGKILL-and-restart harness for the restart suites (test/restart.test.ts, test/fault-kill-phases.test.ts):
// runs the real bot over a per-phase data folder against an emulator living in the test process, kills
// it at a chosen moment, starts a fresh process over the same folder and reports how the job ended.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Job } from '../../src/jobs/job.js';
import { openJobStore } from '../../src/jobs/open-store.js';
import type { KlingEmulator } from '../../src/kling/emulator/server.js';
import { type BotProcess, botTestEnv, startBot } from './bot-process.js';

/** Generous: on a loaded machine a bot process takes many seconds just to start. */
const WAIT_MS = 60_000;

export const DEFAULT_LINE = '/avatar image=samples/face.jpg voice=samples/voice.ogg\n';

export interface KillHarness {
  root: string;
  emulator: KlingEmulator;
  apiKey: string;
  /** The job engine's environment (test/helpers/engines.ts), merged into every bot's. */
  engineEnv: Record<string, string>;
}

export interface KillPlan {
  /** Sub-folder of the harness root for this phase's data and output. */
  name: string;
  /** What the first process reads from stdin (default: the bundled face and voice note). */
  line?: string;
  env?: Record<string, string>;
  /** A log message to kill after, or a wait of its own (resolves when it is time to pull the plug). */
  killAfter: string | ((bot: BotProcess, jobId: string) => Promise<unknown>);
  /** Keep the first process's stdin open (a job waiting for /confirm must not be cancelled as unattended). */
  keepInputOpen?: boolean;
  prepare?: () => void;
  afterKill?: () => void;
  /**
   * Talks to the second process; its stdin stays open until this ends it (it must call endInput()).
   * Without it the second process gets no input and just finishes the resumed job.
   */
  afterRestart?: (
    bot: BotProcess,
    ctx: { jobId: string; readJob: () => Promise<Job | undefined> },
  ) => Promise<void>;
}

export interface KillResult {
  jobId: string;
  code: number | null;
  videoLines: string[];
  job: Job | undefined;
  outFiles: string[];
  first: BotProcess;
  second: BotProcess;
}

export function botEnv(
  h: KillHarness,
  dir: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return botTestEnv(dir, { url: h.emulator.url, apiKey: h.apiKey }, { ...h.engineEnv, ...extra });
}

/** Reads one job from the store the bot used (the engine's STORE_URL, else the data folder's SQLite). */
export async function readJob(env: Record<string, string>, jobId: string): Promise<Job | undefined> {
  const url = env.STORE_URL ?? `sqlite://${path.join(env.DATA_DIR ?? '', 'bot.sqlite')}`;
  const store = await openJobStore(url);
  try {
    return await store.get(jobId);
  } finally {
    await store.close();
  }
}

export async function killAndResume(h: KillHarness, plan: KillPlan): Promise<KillResult> {
  const dir = path.join(h.root, plan.name);
  const env = botEnv(h, dir, plan.env);
  plan.prepare?.();
  const first = startBot(env, plan.line ?? DEFAULT_LINE, { keepInputOpen: plan.keepInputOpen ?? false });
  let second: BotProcess | undefined;
  try {
    const accepted = await first.waitForLog('job accepted', WAIT_MS).catch((error: Error) => {
      // Say why: a bot that refused the line or crashed at start-up printed it here.
      const said = [...first.stdout, ...first.logs.filter((l) => l.msg === 'non-json').map((l) => l.line)];
      throw new Error(`${error.message}; the bot said: ${said.slice(-8).join(' | ')}`);
    });
    const jobId = String(accepted.jobId);
    if (typeof plan.killAfter === 'string') await first.waitForLog(plan.killAfter, WAIT_MS);
    else await plan.killAfter(first, jobId);
    await first.kill();
    plan.afterKill?.();

    second = startBot(env, undefined, { keepInputOpen: plan.afterRestart !== undefined });
    await plan.afterRestart?.(second, { jobId, readJob: () => readJob(env, jobId) });
    const code = await second.exited;
    const videoLines = [...first.stdout, ...second.stdout].filter((l) => l.startsWith('video: '));
    const outFiles = await readdir(path.join(dir, 'out')).catch(() => [] as string[]);
    return { jobId, code, videoLines, job: await readJob(env, jobId), outFiles, first, second };
  } finally {
    // A failed wait must not leave a bot running past the test.
    await first.kill();
    await second?.kill();
  }
}
