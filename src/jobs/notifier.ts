// Turns job changes into localised JobUpdates for the adapter that owns the job. An adapter failing to
// show progress never fails the job: the update is logged and dropped.
import type { JobPhase, JobUpdate } from '../core/types.js';
import { type AvatarError, asAvatarError } from '../errors.js';
import { describeError, t } from '../i18n/catalog.js';
import type { MessageKey } from '../i18n/en.js';
import { isTerminal, type Job, SUBMITTED_STATES } from './job.js';
import { partsDone } from './parts.js';
import type { RunnerContext } from './ports.js';

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return minutes > 0 ? `${minutes} min ${seconds} s` : `${seconds} s`;
}

export function buildUpdate(job: Job, phase: JobPhase, now = Date.now()): JobUpdate {
  const params: Record<string, string | number> = {
    mode: job.mode,
    seconds: job.prepared ? job.prepared.audioSeconds.toFixed(1) : '?',
    cost: (job.estimatedCost ?? 0).toFixed(2),
    elapsed: formatDuration(now - (job.kling?.submittedAt ?? job.createdAt)),
    jobId: job.id,
  };
  const keyByPhase: Partial<Record<JobPhase, MessageKey>> = {
    preparing: 'job.preparing',
    prepared: 'job.accepted',
    submitted: 'job.submitted',
    processing: 'job.processing',
    delivered: 'job.done',
  };
  const parts = job.parts ? { done: partsDone(job.parts), total: job.parts.length } : undefined;
  if (parts) {
    // A long voice note: the plan (parts, total seconds and cost) and then parts done out of total.
    Object.assign(params, { parts: parts.total, done: parts.done, total: parts.total });
    Object.assign(keyByPhase, {
      prepared: 'job.parts.plan',
      submitted: 'job.parts.progress',
      processing: 'job.parts.progress',
    });
  }
  const awaiting = phase === 'awaiting_confirmation' ? job.controls?.awaiting : undefined;
  let text: string;
  if (phase === 'failed' && job.error) {
    const tail = t(job.locale, job.error.charged ? 'job.failed.charged' : 'job.failed.noCharge');
    text = `${t(job.locale, 'job.failed', { reason: job.error.message })} ${tail}`;
  } else if (phase === 'cancelled') {
    text = t(job.locale, 'job.cancelled', { reason: job.error?.message ?? '' });
  } else if (awaiting) {
    const minutes = Math.max(1, Math.ceil((awaiting.expiresAt - now) / 60_000));
    const key = awaiting.reasons.includes('consent') ? 'job.awaiting.consent' : 'job.awaiting.price';
    text = t(job.locale, key, { ...params, minutes });
  } else {
    text = t(job.locale, keyByPhase[phase] ?? 'job.processing', params);
  }
  return {
    jobId: job.id,
    phase,
    text,
    replyTo: job.replyTo,
    requester: job.requester,
    locale: job.locale,
    mode: job.mode,
    ...(job.prepared ? { audioSeconds: job.prepared.audioSeconds } : {}),
    ...(job.estimatedCost !== undefined ? { estimatedCost: job.estimatedCost } : {}),
    ...(job.kling?.submittedAt ? { elapsedMs: now - job.kling.submittedAt } : {}),
    ...(parts ? { parts } : {}),
    ...(job.error ? { error: job.error } : {}),
    ...(awaiting ? { actions: awaiting.actions, expiresAt: awaiting.expiresAt } : {}),
    ...(job.controls ? { visibility: job.controls.visibility } : {}),
  };
}

export async function notify(
  ctx: Pick<RunnerContext, 'adapters' | 'logger' | 'controls'>,
  job: Job,
  phase: JobPhase,
): Promise<void> {
  // Book the spend before saying "done", so a usage query right after it already counts this job.
  if (ctx.controls && isTerminal(job))
    await ctx.controls
      .jobEnded(job)
      .catch((error: unknown) =>
        ctx.logger.warn({ jobId: job.id, err: error }, 'could not settle the budget'),
      );
  const adapter = ctx.adapters.get(job.replyTo.adapter);
  if (!adapter) return;
  try {
    await adapter.update(buildUpdate(job, phase));
  } catch (error) {
    ctx.logger.warn({ jobId: job.id, phase, err: error }, 'adapter could not show a job update');
  }
}

/** Ends a job as failed with a user-facing reason; `charged` says whether a task may exist. */
export async function failJob(ctx: RunnerContext, job: Job, error: unknown): Promise<void> {
  const avatarError: AvatarError = asAvatarError(error);
  // From 'submitting' on, a task may exist at the provider, so the user is told it may be billed.
  const charged = SUBMITTED_STATES.has(job.state);
  const failed = await ctx.store.update(job.id, (j) => {
    j.state = 'failed';
    j.error = { code: avatarError.code, message: describeError(j.locale, avatarError), charged };
  });
  ctx.logger.warn(
    { jobId: job.id, code: avatarError.code, fromState: job.state, charged, err: avatarError },
    'job failed',
  );
  await notify(ctx, failed, 'failed');
}
