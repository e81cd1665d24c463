// The embedded single-process scheduler: timers for waiting, a keyed mutex so one job runs one step
// at a time, and a resume on start-up for every unfinished job. The state lives in the store, so a
// fresh process over the same store carries on where the last one stopped.

import { runWithJob } from '../logger.js';
import { KeyedMutex } from '../util/keyed-mutex.js';
import type { RunnerContext } from './ports.js';
import { hintDelay, type JobScheduler, resumeDelay } from './scheduler.js';
import { driveJob } from './step-driver.js';

export class InProcessRunner implements JobScheduler {
  private readonly mutex = new KeyedMutex();
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; due: number }>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly ctx: RunnerContext) {}

  schedule(jobId: string, delayMs = 0): void {
    if (this.stopped) return;
    const due = Date.now() + delayMs;
    const existing = this.timers.get(jobId);
    if (existing) {
      if (existing.due <= due) return;
      clearTimeout(existing.timer);
    }
    const timer = setTimeout(() => {
      this.timers.delete(jobId);
      this.track(this.advance(jobId));
    }, delayMs);
    this.timers.set(jobId, { timer, due });
  }

  async hint(jobId: string): Promise<void> {
    const delayMs = await hintDelay(this.ctx.store, jobId);
    if (delayMs !== undefined) this.schedule(jobId, delayMs);
  }

  /** Picks up every unfinished job in the store, spreading the first polls out. */
  async resumeAll(): Promise<number> {
    const jobs = await this.ctx.store.listUnfinished();
    const spreadMs = this.ctx.config.follow.pollMaxMs;
    jobs.forEach((job, i) => {
      this.schedule(job.id, resumeDelay(job, i, jobs.length, spreadMs));
    });
    if (jobs.length > 0) this.ctx.logger.info({ count: jobs.length }, 'resuming unfinished jobs');
    return jobs.length;
  }

  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }

  private isIdle(): boolean {
    return this.timers.size === 0 && this.running.size === 0;
  }

  private track(work: Promise<void>): void {
    this.running.add(work);
    void work.finally(() => {
      this.running.delete(work);
      if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
    });
  }

  private advance(jobId: string): Promise<void> {
    return this.mutex.run(jobId, () =>
      runWithJob(jobId, async () => {
        const result = await driveJob(this.ctx, jobId, () => this.stopped);
        if (result.kind === 'wait') this.schedule(jobId, result.delayMs);
        // Ended elsewhere (a cancel): drop any timer a step set meanwhile, so idle() is not held up.
        else if (result.kind === 'done') this.unschedule(jobId);
      }),
    );
  }

  private unschedule(jobId: string): void {
    const booked = this.timers.get(jobId);
    if (booked) clearTimeout(booked.timer);
    this.timers.delete(jobId);
  }
}
