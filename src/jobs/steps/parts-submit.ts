// Creating the task of one part, with the single-job rules: the part is saved as 'submitting' before
// the create; an ambiguous failure (or a crash) is reconciled by looking the part's external_task_id
// up, and only a definite "not found" leads to a new create with that same id.
import { readFile } from 'node:fs/promises';
import { JobError, KlingApiError } from '../../errors.js';
import type { Job } from '../job.js';
import { notify } from '../notifier.js';
import { findPart, isInFlight, type JobPart, partTasks, updatePart } from '../parts.js';
import type { AvatarTask, AvatarTaskBody, RunnerContext } from '../ports.js';
import { retryDelayMs } from './backoff.js';
import { failPart } from './parts-finish.js';
import { publishMedia } from './publish-media.js';

const MAX_RECONCILE_ATTEMPTS = 8;

/** Returns the saved job, or undefined when the job has ended (a part failed for good). */
export async function submitPart(ctx: RunnerContext, job: Job, part: JobPart): Promise<Job | undefined> {
  let body: AvatarTaskBody;
  try {
    body = await partBody(ctx, job, part);
  } catch (error) {
    return failPart(ctx, job, part.index, error);
  }
  const marked = await ctx.store.update(job.id, (j) => {
    const p = findPart(j, part.index);
    if (p) {
      p.state = 'submitting';
      delete p.nextPollAt;
    }
    if (j.state === 'prepared') j.state = 'submitting';
  });
  try {
    const task = await ctx.submitLimit.run(() => ctx.api.createAvatarTask(body));
    return adoptPart(ctx, marked, part.index, task);
  } catch (error) {
    const now = Date.now();
    if (error instanceof KlingApiError && (error.ambiguous || duplicateId(error))) {
      ctx.logger.warn(
        { jobId: job.id, part: part.index, code: error.code, err: error },
        'part create outcome unknown, reconciling',
      );
      return updatePart(ctx, job.id, part.index, (p) => {
        p.nextPollAt = now + (error.ambiguous ? retryDelayMs(0) : 0);
      });
    }
    // Not ambiguous: the provider certainly holds no task for this part.
    const retryable = error instanceof KlingApiError && error.retryable;
    const reverted = await ctx.store.update(job.id, (j) => {
      const p = findPart(j, part.index);
      if (!p) return;
      p.state = 'prepared';
      if (retryable) p.nextPollAt = now + Math.max(error.retryAfterMs ?? 0, retryDelayMs(1));
      const parts = j.parts ?? [];
      if (j.state === 'submitting' && !parts.some((x) => isInFlight(x) || partTasks(x) > 0))
        j.state = 'prepared';
    });
    if (!retryable) return failPart(ctx, reverted, part.index, error);
    if (error.code === 'KLING_RATE_LIMITED') ctx.partsThrottle?.observe(error);
    ctx.logger.warn(
      { jobId: job.id, part: part.index, code: error.code },
      'provider busy, part submit postponed',
    );
    return reverted;
  }
}

/** A part left in 'submitting': did its create reach the provider? */
export async function reconcilePart(ctx: RunnerContext, job: Job, part: JobPart): Promise<Job | undefined> {
  try {
    const task = await ctx.api.getAvatarTask(part.externalTaskId);
    ctx.logger.info(
      { jobId: job.id, part: part.index, taskId: task.taskId },
      'reconciled: provider has the part',
    );
    return adoptPart(ctx, job, part.index, task);
  } catch (error) {
    if (error instanceof KlingApiError && error.code === 'KLING_NOT_FOUND') {
      // Never seen there: create again with the same external_task_id (never duplicated there).
      ctx.logger.info(
        { jobId: job.id, part: part.index },
        'reconciled: no task for the part, submitting again',
      );
      return updatePart(ctx, job.id, part.index, (p) => {
        p.state = 'prepared';
        delete p.nextPollAt;
      });
    }
    const attempts = (part.reconcileAttempts ?? 0) + 1;
    if (attempts > MAX_RECONCILE_ATTEMPTS)
      return failPart(
        ctx,
        job,
        part.index,
        new JobError('JOB_SUBMIT_UNCONFIRMED', 'could not confirm part create', { cause: error }),
      );
    ctx.logger.warn(
      { jobId: job.id, part: part.index, attempts, err: error },
      'part reconcile failed, will retry',
    );
    return updatePart(ctx, job.id, part.index, (p) => {
      p.reconcileAttempts = attempts;
      p.nextPollAt = Date.now() + retryDelayMs(attempts);
    });
  }
}

async function adoptPart(ctx: RunnerContext, job: Job, index: number, task: AvatarTask): Promise<Job> {
  const now = Date.now();
  const updated = await ctx.store.update(job.id, (j) => {
    const p = findPart(j, index);
    if (p) {
      p.state = 'submitted';
      p.taskId = task.taskId;
      p.submittedAt = p.submittedAt ?? now;
      p.polls = 0;
      p.nextPollAt = now + ctx.config.follow.pollFirstMs;
      delete p.reconcileAttempts;
    }
    j.kling = { ...(j.kling ?? { polls: 0 }), submittedAt: j.kling?.submittedAt ?? now };
    if (j.state === 'prepared' || j.state === 'submitting') j.state = 'submitted';
  });
  const externalTaskId = findPart(updated, index)?.externalTaskId;
  ctx.logger.info({ jobId: job.id, part: index, taskId: task.taskId, externalTaskId }, 'part submitted');
  if (job.state !== 'submitted' && updated.state === 'submitted') await notify(ctx, updated, 'submitted');
  return updated;
}

/** Kling refuses a second create with an id it holds: the first create did arrive after all. */
function duplicateId(error: KlingApiError): boolean {
  return (
    error.code === 'KLING_INVALID_REQUEST' && /external_task_id/i.test(String(error.params.detail ?? ''))
  );
}

async function partBody(ctx: RunnerContext, job: Job, part: JobPart): Promise<AvatarTaskBody> {
  const prepared = job.prepared;
  if (!prepared) throw new Error('job has no prepared inputs');
  const body: AvatarTaskBody = {
    image: (await readFile(prepared.imagePath)).toString('base64'),
    prompt: job.prompt,
    mode: job.mode,
    external_task_id: part.externalTaskId,
    ...(ctx.callbackBaseUrl
      ? { callback_url: `${ctx.callbackBaseUrl}/kling/callback/${job.callbackToken}` }
      : {}),
  };
  const transport = ctx.config.kling.audioTransport;
  if (ctx.config.http.publicUrl && (transport === 'url' || transport === 'auto'))
    return {
      ...body,
      sound_file: await publishMedia(ctx, job.id, part.audioPath, 'audio/mpeg', 6 * 3_600_000),
    };
  return { ...body, sound_file: (await readFile(part.audioPath)).toString('base64') };
}
