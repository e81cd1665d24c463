// Following one part's task: poll with back-off, download its video as soon as it succeeds (provider
// URLs expire), and retry it alone, under a new external_task_id, when the provider says 'failed'.
import path from 'node:path';
import { JobError, KlingApiError } from '../../errors.js';
import { downloadToFile } from '../../http/download.js';
import { describeError } from '../../i18n/catalog.js';
import type { Job } from '../job.js';
import { notify } from '../notifier.js';
import { type JobPart, PART_MAX_RETRIES, partExternalId, partsDone, updatePart } from '../parts.js';
import type { AvatarTask, RunnerContext } from '../ports.js';
import { pollDelayMs, retryDelayMs } from './backoff.js';
import { failPart } from './parts-finish.js';

/** A task that stays unknown this many polls in a row is treated as gone. */
const NOT_FOUND_LIMIT = 3;
const MAX_PART_BYTES = 500_000_000;

/** Returns the saved job, or undefined when the job has ended (a part failed for good). */
export async function pollPart(ctx: RunnerContext, job: Job, part: JobPart): Promise<Job | undefined> {
  const { pollFirstMs, pollMaxMs, deadlineMs } = ctx.config.follow;
  const now = Date.now();
  if (now >= (part.submittedAt ?? now) + deadlineMs) {
    const minutes = Math.round(deadlineMs / 60_000);
    return failPart(
      ctx,
      job,
      part.index,
      new JobError('JOB_DEADLINE', 'deadline passed', { params: { minutes } }),
    );
  }
  const polls = part.polls + 1;
  const delayMs = pollDelayMs(polls, pollFirstMs, pollMaxMs);
  const polled = (p: JobPart, j: Job, nextMs: number) => {
    p.polls = polls;
    p.lastPollAt = now;
    p.nextPollAt = now + nextMs;
    if (j.kling) j.kling.lastPollAt = now;
  };
  let task: AvatarTask;
  try {
    task = await ctx.api.getAvatarTask(part.taskId ?? part.externalTaskId);
  } catch (error) {
    const notFound = error instanceof KlingApiError && error.code === 'KLING_NOT_FOUND';
    if (notFound && polls >= NOT_FOUND_LIMIT) return failPart(ctx, job, part.index, error);
    ctx.logger.warn(
      { jobId: job.id, part: part.index, polls, err: error },
      'part poll failed, will try again',
    );
    return updatePart(ctx, job.id, part.index, (p, j) => polled(p, j, delayMs));
  }

  if (task.status === 'failed') return retryOrFail(ctx, job, part, task.statusMessage || 'no reason given');
  if (task.status === 'succeed') {
    const video = task.videos[0];
    if (!video)
      return failPart(
        ctx,
        job,
        part.index,
        new KlingApiError('KLING_BAD_RESPONSE', 'succeeded without a video'),
      );
    const file = path.join(ctx.jobDir(job.id), 'parts', `part-${part.index}.mp4`);
    try {
      await ctx.mediaLimit.run(() =>
        downloadToFile(video.url, file, { maxBytes: MAX_PART_BYTES, timeoutMs: 5 * 60_000 }),
      );
    } catch (error) {
      // The next poll fetches the (still valid) URL again; the part's deadline bounds the retries.
      ctx.logger.warn({ jobId: job.id, part: part.index, err: error }, 'part download failed, will retry');
      return updatePart(ctx, job.id, part.index, (p, j) => polled(p, j, retryDelayMs(Math.min(polls, 5))));
    }
    const updated = await updatePart(ctx, job.id, part.index, (p, j) => {
      polled(p, j, 0);
      delete p.nextPollAt;
      p.state = 'succeeded';
      p.videoPath = file;
      if (j.state === 'submitted') j.state = 'processing';
    });
    const done = partsDone(updated.parts ?? []);
    ctx.logger.info({ jobId: job.id, part: part.index, done, total: updated.parts?.length }, 'part rendered');
    await notify(ctx, updated, 'processing');
    return updated;
  }
  const state = task.status === 'processing' ? 'processing' : 'submitted';
  const updated = await updatePart(ctx, job.id, part.index, (p, j) => {
    polled(p, j, delayMs);
    p.state = state;
    if (state === 'processing' && j.state === 'submitted') j.state = 'processing';
  });
  if (job.state !== updated.state && updated.state === 'processing') await notify(ctx, updated, 'processing');
  return updated;
}

/** A definite failure at the provider: try the part again under a new id, or give up on the job. */
async function retryOrFail(
  ctx: RunnerContext,
  job: Job,
  part: JobPart,
  detail: string,
): Promise<Job | undefined> {
  const cause = new KlingApiError('KLING_TASK_FAILED', 'part task failed', { params: { detail } });
  if (part.attempts >= PART_MAX_RETRIES) return failPart(ctx, job, part.index, cause);
  const attempt = part.attempts + 1;
  ctx.logger.warn(
    { jobId: job.id, part: part.index, attempt, detail, taskId: part.taskId },
    'part failed at the provider, retrying it alone',
  );
  return updatePart(ctx, job.id, part.index, (p, j) => {
    p.attempts = attempt;
    p.state = 'prepared';
    p.externalTaskId = partExternalId(j.id, p.index, attempt);
    p.polls = 0;
    p.error = { code: cause.code, message: describeError(j.locale, cause) };
    for (const key of ['taskId', 'submittedAt', 'lastPollAt', 'nextPollAt', 'reconcileAttempts'] as const)
      delete p[key];
  });
}
