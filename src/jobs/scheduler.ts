// The one interface the core uses to run jobs, whatever engine is behind it: in-process timers for
// the embedded single-process mode, or BullMQ on Redis when several instances share the work.
import type { Job } from './job.js';
import type { JobStore } from './job-store.js';

export interface JobScheduler {
  /**
   * Runs the job's next steps after `delayMs` (0 = as soon as possible). An earlier run already booked
   * wins: a cancel or a callback that arrived while a step ran is not pushed back by that step's wait.
   */
  schedule(jobId: string, delayMs?: number): void;
  /** A callback said something changed: poll soon, but never flood the provider. */
  hint(jobId: string): Promise<void>;
  /** Makes sure every unfinished job in the store is booked; returns how many there are. */
  resumeAll(): Promise<number>;
  /** Resolves once this process has no job waiting or running (tests and the shell adapter). */
  idle(): Promise<void>;
  /** Stops taking work and waits for the steps that are running to finish. */
  stop(): Promise<void>;
}

/**
 * When to look at each of `count` unfinished jobs after a start-up: a job whose next poll is still
 * ahead keeps it; overdue ones are spread evenly (20 ms apart, over at most `spreadMs`) so thousands
 * of jobs after a long outage do not all poll in the same instant, nor stay in step afterwards.
 */
export function resumeDelay(job: Job, index: number, count: number, spreadMs: number): number {
  const dueIn = (job.kling?.nextPollAt ?? 0) - Date.now();
  if (dueIn > 0) return dueIn;
  return Math.round((index * Math.min(count * 20, spreadMs)) / Math.max(1, count));
}

/** A callback-triggered poll never comes sooner than this after the previous poll. */
const MIN_HINT_GAP_MS = 1_000;
const HINTABLE = new Set(['submitting', 'submitted', 'processing']);

/**
 * Shared by both engines: records that the next poll should come soon (steps honour `nextPollAt`)
 * and returns the delay to book, or undefined when the job is not waiting on the provider.
 */
export async function hintDelay(store: JobStore, jobId: string): Promise<number | undefined> {
  const job = await store.get(jobId);
  if (!job || !HINTABLE.has(job.state)) return undefined;
  const sinceLastPoll = Date.now() - (job.kling?.lastPollAt ?? 0);
  const delayMs = Math.max(0, MIN_HINT_GAP_MS - sinceLastPoll);
  await store.update(jobId, (j) => {
    if (j.kling) j.kling.nextPollAt = Date.now() + delayMs;
  });
  return delayMs;
}
