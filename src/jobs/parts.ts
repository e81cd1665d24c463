// The parts of a long voice note: one avatar task each, with the same money-safety rules as a single
// job (marked 'submitting' before the create, reconciled by external_task_id, never resubmitted
// blindly). Plain data in the job record plus the small pure helpers the part steps share.
import type { Job } from './job.js';
import type { RunnerContext } from './ports.js';

export type PartState = 'prepared' | 'submitting' | 'submitted' | 'processing' | 'succeeded' | 'failed';

export interface JobPart {
  /** 1-based, as the user counts. */
  index: number;
  /** Where the part starts in the prepared voice note, and how long it is (exact, in samples). */
  startSeconds: number;
  durationSeconds: number;
  audioPath: string;
  state: PartState;
  /** `<jobId>-p<index>`, plus `-r<n>` for retry n after a definite failure. */
  externalTaskId: string;
  taskId?: string;
  submittedAt?: number;
  polls: number;
  lastPollAt?: number;
  /** Next poll, reconcile lookup or (after a rate limit) submit attempt; unset = now. */
  nextPollAt?: number;
  reconcileAttempts?: number;
  /** Retries after a definite failure at the provider (each made a new task). */
  attempts: number;
  videoPath?: string;
  error?: { code: string; message: string };
}

/** A part that ends 'failed' at the provider is retried on its own at most this many times. */
export const PART_MAX_RETRIES = 2;

export function partExternalId(jobId: string, index: number, attempt: number): string {
  return attempt > 0 ? `${jobId}-p${index}-r${attempt}` : `${jobId}-p${index}`;
}

const IN_FLIGHT = new Set<PartState>(['submitting', 'submitted', 'processing']);

export function isInFlight(part: JobPart): boolean {
  return IN_FLIGHT.has(part.state);
}

export function partsDone(parts: readonly JobPart[]): number {
  return parts.filter((p) => p.state === 'succeeded' && p.videoPath).length;
}

/**
 * Tasks the provider may hold (and bill) for this part: one per earlier attempt, which ended
 * 'failed' there, plus the current one once its create has been sent.
 */
export function partTasks(part: JobPart): number {
  const current = part.state !== 'prepared' && !(part.state === 'failed' && !part.taskId) ? 1 : 0;
  return part.attempts + current;
}

/** Parts submitted, their seconds counted once per task, and the most that can have cost. */
export function partsSpend(
  parts: readonly JobPart[],
  pricePerSecond: number,
): { submitted: number; seconds: number; cost: number } {
  const submitted = parts.filter((p) => partTasks(p) > 0).length;
  const seconds = parts.reduce((sum, p) => sum + partTasks(p) * p.durationSeconds, 0);
  return { submitted, seconds, cost: seconds * pricePerSecond };
}

/** Applies `change` to part `index` of the stored job and saves it; returns the saved job. */
export function updatePart(
  ctx: RunnerContext,
  jobId: string,
  index: number,
  change: (part: JobPart, job: Job) => void,
): Promise<Job> {
  return ctx.store.update(jobId, (j) => {
    const part = j.parts?.find((p) => p.index === index);
    if (part) change(part, j);
  });
}

export function findPart(job: Job, index: number): JobPart | undefined {
  return job.parts?.find((p) => p.index === index);
}
