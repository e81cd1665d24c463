// Steps 2 and 3 for a job split into parts: one pass settles what is due (reconcile parts left in
// 'submitting', poll rendering parts, download finished ones), submits waiting parts while fewer
// than the concurrency limit are in flight, and sleeps until the next part is due. Every part
// change is saved at once, so a restart resumes the remaining parts and never resubmits one.
import { JobError } from '../../errors.js';
import { isTerminal, type Job } from '../job.js';
import { failJob } from '../notifier.js';
import { findPart, isInFlight, type JobPart } from '../parts.js';
import type { RunnerContext, StepOutcome } from '../ports.js';
import { failPart, joinPartsStep } from './parts-finish.js';
import { pollPart } from './parts-follow.js';
import { reconcilePart, submitPart } from './parts-submit.js';

/** Longest sleep between passes; a pass only acts on parts that are due. */
const MAX_WAIT_MS = 60_000;

export async function partsStep(ctx: RunnerContext, initial: Job): Promise<StepOutcome> {
  let job = initial;
  if (job.state === 'downloading') return joinPartsStep(ctx, job);
  const now = Date.now();
  if (job.state === 'prepared' && now - job.createdAt > ctx.config.follow.deadlineMs) {
    const minutes = Math.round(ctx.config.follow.deadlineMs / 60_000);
    await failJob(ctx, job, new JobError('JOB_DEADLINE', 'deadline passed', { params: { minutes } }));
    return { kind: 'stop' };
  }

  // A callback (hintDelay) sets kling.nextPollAt: poll every rendering part now.
  const hinted = job.kling?.nextPollAt !== undefined && job.kling.nextPollAt <= now;
  for (const { index } of job.parts ?? []) {
    const part = findPart(job, index);
    if (!part) continue;
    const due = (part.nextPollAt ?? 0) <= now;
    let next: Job | undefined = job;
    if (part.state === 'submitting' && due) next = await reconcilePart(ctx, job, part);
    else if ((part.state === 'submitted' || part.state === 'processing') && (due || hinted))
      next = await pollPart(ctx, job, part);
    if (!next || isTerminal(next)) return { kind: 'stop' };
    job = next;
  }
  if (hinted)
    job = await ctx.store.update(job.id, (j) => {
      if (j.kling) delete j.kling.nextPollAt;
    });

  const parts = job.parts ?? [];
  if (parts.every((p) => p.state === 'succeeded' && p.videoPath)) {
    await ctx.store.update(job.id, (j) => {
      j.state = 'downloading';
    });
    return { kind: 'continue' };
  }

  // Each part gets the usual deadline, even when the parts render one after another; a part still
  // waiting to be submitted past that (the provider kept saying "too many") ends the request.
  const late = (job.parts ?? []).find((p) => p.state === 'prepared');
  const overallMs = ctx.config.follow.deadlineMs * Math.max(1, job.parts?.length ?? 1);
  if (late && Date.now() - job.createdAt > overallMs) {
    const minutes = Math.round(overallMs / 60_000);
    await failPart(
      ctx,
      job,
      late.index,
      new JobError('JOB_DEADLINE', 'deadline passed', { params: { minutes } }),
    );
    return { kind: 'stop' };
  }
  // Read each time round: a create answered 429/1303 (even when retried) lowers it for the next one.
  const limit = () =>
    Math.min(ctx.config.split.concurrency, ctx.partsThrottle?.limit ?? Number.POSITIVE_INFINITY);
  for (;;) {
    const current = job.parts ?? [];
    if (current.filter(isInFlight).length >= limit()) break;
    const waiting = current.find((p) => p.state === 'prepared' && (p.nextPollAt ?? 0) <= Date.now());
    if (!waiting) break;
    const next = await submitPart(ctx, job, waiting);
    if (!next || isTerminal(next)) return { kind: 'stop' };
    job = next;
    // Refused for now (rate limit): the other waiting parts would be too; try again later.
    if (findPart(job, waiting.index)?.state === 'prepared') break;
  }
  return { kind: 'wait', delayMs: nextWakeMs(job.parts ?? [], limit()) };
}

/** Time until the earliest part is due: a poll or lookup in flight, or a postponed submit with room. */
function nextWakeMs(parts: readonly JobPart[], limit: number): number {
  const now = Date.now();
  const inFlight = parts.filter(isInFlight);
  const candidates = inFlight.map((p) => p.nextPollAt ?? now);
  if (inFlight.length < limit)
    for (const p of parts) if (p.state === 'prepared') candidates.push(p.nextPollAt ?? now);
  if (candidates.length === 0) return MAX_WAIT_MS;
  return Math.min(MAX_WAIT_MS, Math.max(0, Math.min(...candidates) - now));
}
