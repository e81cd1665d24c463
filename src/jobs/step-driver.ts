// Drives one job through as many steps as can run now, for either scheduler (in-process timers or
// BullMQ on Redis). The state lives in the store, so whichever process runs this next carries on
// from there; the scheduler only decides *when* and guarantees one driver per job at a time.

import { StoreUnavailableError } from '../errors.js';
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

/** What the scheduler should do after a drive: come back later, or forget the job. */
export type DriveResult =
  | { kind: 'wait'; delayMs: number; providerBusy?: boolean }
  | { kind: 'done' }
  | { kind: 'interrupted' };

/** A job that keeps asking to continue this often in one drive is handed back to the scheduler. */
const MAX_STEPS_PER_DRIVE = 50;
/** How soon a job is looked at again after its step failed (a bug, or the store being down). */
const RETRY_AFTER_CRASH_MS = 5_000;

export async function driveJob(
  ctx: RunnerContext,
  jobId: string,
  isStopping: () => boolean,
): Promise<DriveResult> {
  for (let steps = 0; steps < MAX_STEPS_PER_DRIVE; steps++) {
    if (isStopping()) return { kind: 'interrupted' };
    let job: Job | undefined;
    try {
      job = await ctx.store.get(jobId);
    } catch (error) {
      // The store is down: the job is safe in it, so come back later instead of dropping the job.
      ctx.logger.warn({ jobId, err: error }, 'job step postponed: store unavailable');
      return { kind: 'wait', delayMs: RETRY_AFTER_CRASH_MS };
    }
    if (!job || isTerminal(job)) return { kind: 'done' };
    let outcome: StepOutcome;
    try {
      outcome = await runStep(ctx, job);
    } catch (error) {
      if (error instanceof JobEndedError) {
        // The job was cancelled while this step ran; the step's own write was refused.
        ctx.logger.debug({ jobId, state: error.state }, 'step stopped: job already ended');
        outcome = { kind: 'stop' };
      } else if (error instanceof StoreUnavailableError) {
        // Not the job's fault: it carries on once the store is back, whatever state it is in.
        ctx.logger.warn({ jobId, state: job.state, err: error }, 'job step postponed: store unavailable');
        outcome = { kind: 'wait', delayMs: RETRY_AFTER_CRASH_MS };
      } else {
        // A bug inside a step: log it and try again later rather than lose the job.
        ctx.logger.error({ jobId, state: job.state, err: error }, 'job step crashed');
        outcome = await recover(ctx, job, error);
      }
    }
    if (outcome.kind === 'continue') continue;
    if (outcome.kind === 'wait') return outcome;
    await settleBudget(ctx, jobId);
    return { kind: 'done' };
  }
  return { kind: 'wait', delayMs: 0 };
}

function runStep(ctx: RunnerContext, job: Job): Promise<StepOutcome> {
  switch (job.state) {
    case 'accepted':
    case 'preparing':
      return prepareStep(ctx, job);
    case 'prepared':
      return submitStep(ctx, job);
    case 'awaiting_confirmation':
      return awaitStep(ctx, job);
    case 'submitting':
      return reconcileStep(ctx, job);
    case 'submitted':
    case 'processing':
      return pollStep(ctx, job);
    case 'downloading':
      return downloadStep(ctx, job);
    case 'delivering':
      return deliverStep(ctx, job);
    default:
      return Promise.resolve({ kind: 'stop' });
  }
}

/** A step stopped: when the job has ended, settle or release its budget hold. */
async function settleBudget(ctx: RunnerContext, jobId: string): Promise<void> {
  if (!ctx.controls) return;
  try {
    const job = await ctx.store.get(jobId);
    if (job && isTerminal(job)) await ctx.controls.jobEnded(job);
  } catch (error) {
    // The sweeper reconciles holds later; the job itself is finished either way.
    ctx.logger.warn({ jobId, err: error }, 'could not settle the budget of an ended job');
  }
}

async function recover(ctx: RunnerContext, job: Job, error: unknown): Promise<StepOutcome> {
  // Before submission nothing is at stake: fail clearly. After it, keep following the task.
  if (job.state === 'accepted' || job.state === 'preparing' || job.state === 'prepared') {
    try {
      await failJob(ctx, job, error);
      return { kind: 'stop' };
    } catch {
      return { kind: 'wait', delayMs: RETRY_AFTER_CRASH_MS };
    }
  }
  return { kind: 'wait', delayMs: RETRY_AFTER_CRASH_MS };
}
