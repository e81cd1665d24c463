// The in-process scheduler that drives each job through its steps. One step at a time per job (a keyed
// mutex), timers for waiting, and a resume on start-up for every unfinished job. The state lives in
// the store, so a fresh process over the same store carries on where the last one stopped.

import { runWithJob } from '../logger.js';
import { KeyedMutex } from '../util/keyed-mutex.js';
import type { Job } from './job.js';
import { isTerminal } from './job.js';
import { JobEndedError } from './job-store.js';
import { failJob } from './notifier.js';
import type { RunnerContext, StepOutcome } from './ports.js';
import { deliverStep, downloadStep } from './steps/finish.js';
import { pollStep } from './steps/follow.js';
import { awaitStep } from './steps/gate.js';
import { prepareStep } from './steps/prepare.js';
import { reconcileStep, submitStep } from './steps/submit.js';

/** A callback-triggered poll never comes sooner than this after the previous poll. */
const MIN_HINT_GAP_MS = 1_000;
const HINTABLE = new Set(['submitting', 'submitted', 'processing']);

export class JobRunner {
  private readonly mutex = new KeyedMutex();
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; due: number }>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly ctx: RunnerContext) {}

  /**
   * Runs the job's next steps after `delayMs` (0 = as soon as possible). An earlier run already booked
   * wins: a cancel or a callback that arrived while a step ran is not pushed back by that step's wait.
   */
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

  /** A callback said something changed: poll soon, but never flood the provider. */
  async hint(jobId: string): Promise<void> {
    const job = await this.ctx.store.get(jobId);
    if (!job || !HINTABLE.has(job.state)) return;
    const sinceLastPoll = Date.now() - (job.kling?.lastPollAt ?? 0);
    const delayMs = Math.max(0, MIN_HINT_GAP_MS - sinceLastPoll);
    await this.ctx.store.update(jobId, (j) => {
      if (j.kling) j.kling.nextPollAt = Date.now() + delayMs;
    });
    this.schedule(jobId, delayMs);
  }

  /** Picks up every unfinished job in the store, spreading the first polls out. */
  async resumeAll(): Promise<number> {
    const jobs = await this.ctx.store.listUnfinished();
    jobs.forEach((job, i) => {
      this.schedule(job.id, Math.min(i * 20, 5_000));
    });
    if (jobs.length > 0) this.ctx.logger.info({ count: jobs.length }, 'resuming unfinished jobs');
    return jobs.length;
  }

  /** Resolves once no job is waiting or running in this process. */
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
    return this.mutex.run(jobId, () => runWithJob(jobId, () => this.advanceLocked(jobId)));
  }

  private async advanceLocked(jobId: string): Promise<void> {
    for (let guard = 0; guard < 50 && !this.stopped; guard++) {
      const job = await this.ctx.store.get(jobId);
      if (!job || isTerminal(job)) {
        // Ended elsewhere (a cancel): drop any timer a step set meanwhile, so idle() is not held up.
        this.unschedule(jobId);
        return;
      }
      let outcome: StepOutcome;
      try {
        outcome = await this.step(job);
      } catch (error) {
        if (error instanceof JobEndedError) {
          // The job was cancelled while this step ran; the step's own write was refused.
          this.ctx.logger.debug({ jobId, state: error.state }, 'step stopped: job already ended');
          outcome = { kind: 'stop' };
        } else {
          // A bug or a store outage inside a step: log it and try again later rather than lose the job.
          this.ctx.logger.error({ jobId, state: job.state, err: error }, 'job step crashed');
          outcome = await this.recover(job, error);
        }
      }
      if (outcome.kind === 'continue') continue;
      if (outcome.kind === 'wait') this.schedule(jobId, outcome.delayMs);
      else await this.ended(jobId);
      return;
    }
  }

  private unschedule(jobId: string): void {
    const booked = this.timers.get(jobId);
    if (booked) clearTimeout(booked.timer);
    this.timers.delete(jobId);
  }

  /** A step stopped: when the job has ended, settle or release its budget hold. */
  private async ended(jobId: string): Promise<void> {
    const controls = this.ctx.controls;
    if (!controls) return;
    try {
      const job = await this.ctx.store.get(jobId);
      if (job && isTerminal(job)) await controls.jobEnded(job);
    } catch (error) {
      // The sweeper reconciles holds later; the job itself is finished either way.
      this.ctx.logger.warn({ jobId, err: error }, 'could not settle the budget of an ended job');
    }
  }

  private step(job: Job): Promise<StepOutcome> {
    switch (job.state) {
      case 'accepted':
      case 'preparing':
        return prepareStep(this.ctx, job);
      case 'prepared':
        return submitStep(this.ctx, job);
      case 'awaiting_confirmation':
        return awaitStep(this.ctx, job);
      case 'submitting':
        return reconcileStep(this.ctx, job);
      case 'submitted':
      case 'processing':
        return pollStep(this.ctx, job);
      case 'downloading':
        return downloadStep(this.ctx, job);
      case 'delivering':
        return deliverStep(this.ctx, job);
      default:
        return Promise.resolve({ kind: 'stop' });
    }
  }

  private async recover(job: Job, error: unknown): Promise<StepOutcome> {
    // Before submission nothing is at stake: fail clearly. After it, keep following the task.
    if (job.state === 'accepted' || job.state === 'preparing' || job.state === 'prepared') {
      try {
        await failJob(this.ctx, job, error);
        return { kind: 'stop' };
      } catch {
        return { kind: 'wait', delayMs: 5_000 };
      }
    }
    return { kind: 'wait', delayMs: 5_000 };
  }
}
