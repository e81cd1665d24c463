// Data retention: a sweeper deletes a finished job's inputs after INPUT_RETENTION_HOURS and its result
// after RESULT_RETENTION_HOURS, and `forgetUser` deletes every job, file, consent and usage detail of
// one user at their request. Team totals are kept anonymously so team budgets stay enforced.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { InputError } from '../errors.js';
import { isTerminal, type Job, SUBMITTED_STATES } from '../jobs/job.js';
import type { JobStore } from '../jobs/job-store.js';
import type { Logger } from '../logger.js';
import type { TeamControls } from './controls.js';

/** Files that are the job's result; everything else in a job's folder is an input or derived from one. */
const RESULT_FILE = /^result/;

export interface RetentionDeps {
  store: JobStore;
  controls: TeamControls;
  config: Config;
  logger: Logger;
  /** DATA_DIR/jobs: one folder per job. */
  jobsRoot: string;
  /** Cancels a job that was not submitted yet (no cost). */
  cancel(jobId: string, userId: string): Promise<unknown>;
}

export interface SweepResult {
  inputs: number;
  results: number;
  orphans: number;
}

export class Retention {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<SweepResult> | undefined;

  constructor(private readonly deps: RetentionDeps) {}

  start(): void {
    if (this.timer) return;
    const every = this.deps.config.controls.sweepIntervalMs;
    this.timer = setInterval(() => void this.sweepQuietly(), every);
    this.timer.unref();
    setTimeout(() => void this.sweepQuietly(), Math.min(every, 5_000)).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass over the job folders; `now` is a parameter so tests can move time forward. */
  sweep(now = Date.now()): Promise<SweepResult> {
    this.sweeping ??= this.sweepOnce(now).finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  /** Jobs a forget would delete, for the confirmation question. */
  async preview(userId: string): Promise<{ jobs: number }> {
    return { jobs: (await this.jobsOf(userId)).length };
  }

  /**
   * Deletes every job, file, consent record and per-user usage detail of `userId`. Refused while one
   * of their renders runs at the provider (its record is what keeps it from being billed twice).
   */
  async forgetUser(userId: string): Promise<{ jobs: number; files: number; consent: boolean }> {
    const { store, controls } = this.deps;
    const jobs = await this.jobsOf(userId);
    const running = jobs.filter((j) => !isTerminal(j) && SUBMITTED_STATES.has(j.state));
    if (running.length > 0)
      throw new InputError('FORGET_JOBS_RUNNING', 'renders running', { params: { count: running.length } });
    for (const job of jobs.filter((j) => !isTerminal(j))) await this.deps.cancel(job.id, userId);
    let files = 0;
    const periods = new Map<string, [string, string]>();
    for (const job of jobs) {
      files += await countFiles(this.dir(job.id));
      await rm(this.dir(job.id), { recursive: true, force: true });
      await store.remove(job.id);
      const c = job.controls;
      if (c) periods.set(`${c.tenantId}\n${c.month}`, [c.tenantId, c.month]);
    }
    for (const [tenantId, month] of periods.values())
      await controls.ledger.lock(tenantId, () => controls.ledger.anonymise(tenantId, month, userId));
    const consent = await controls.consent.forget(userId);
    await controls.ledger.dropUserIndex(userId);
    this.deps.logger.info({ jobs: jobs.length, files }, 'user data forgotten on request');
    return { jobs: jobs.length, files, consent };
  }

  private async sweepOnce(now: number): Promise<SweepResult> {
    const result: SweepResult = { inputs: 0, results: 0, orphans: 0 };
    const { inputRetentionMs, resultRetentionMs } = this.deps.config.controls;
    const names = await readdir(this.deps.jobsRoot).catch(() => [] as string[]);
    for (const id of names) {
      const job = await this.deps.store.get(id);
      if (!job) {
        // No record (forgotten, or removed by hand): nothing can use these files any more.
        await rm(this.dir(id), { recursive: true, force: true });
        result.orphans += 1;
        continue;
      }
      if (!isTerminal(job)) continue;
      const endedAt = job.controls?.endedAt ?? job.delivery?.deliveredAt ?? job.updatedAt;
      if (now >= endedAt + resultRetentionMs) {
        await rm(this.dir(id), { recursive: true, force: true });
        await this.mark(job, now, true);
        result.results += 1;
      } else if (now >= endedAt + inputRetentionMs && !job.controls?.retention?.inputsDeletedAt) {
        const all = await readdir(this.dir(id)).catch(() => [] as string[]);
        const inputs = all.filter((name) => !RESULT_FILE.test(name));
        if (inputs.length === 0 && !job.controls) continue;
        await Promise.all(
          inputs.map((name) => rm(path.join(this.dir(id), name), { recursive: true, force: true })),
        );
        await this.mark(job, now, false);
        result.inputs += 1;
      }
    }
    await this.deps.controls.reconcile();
    return result;
  }

  /** Records the deletion on the job and drops what it kept of the inputs (paths, text). */
  private async mark(job: Job, now: number, result: boolean): Promise<void> {
    await this.deps.store.update(job.id, (j) => {
      delete j.input.image.path;
      if (j.input.voice) delete j.input.voice.path;
      delete j.input.text;
      if (result && j.result) delete j.result.path;
      if (!j.controls) return;
      const retention = j.controls.retention ?? {};
      retention.inputsDeletedAt ??= now;
      if (result) retention.resultDeletedAt ??= now;
      j.controls.retention = retention;
    });
  }

  private async sweepQuietly(): Promise<void> {
    try {
      const result = await this.sweep();
      if (result.inputs + result.results + result.orphans > 0)
        this.deps.logger.info(result, 'retention sweep deleted expired files');
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'retention sweep failed; it runs again later');
    }
  }

  private async jobsOf(userId: string): Promise<Job[]> {
    const ids = await this.deps.controls.ledger.userJobs(userId);
    const jobs = await Promise.all(ids.map((id) => this.deps.store.get(id)));
    return jobs.filter((j): j is Job => j !== undefined && j.requester.id === userId);
  }

  private dir(jobId: string): string {
    return path.join(this.deps.jobsRoot, jobId);
  }
}

async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).length;
}
