// Step 3: follow a submitted task until it ends. Polling with back-off is the source of truth; a
// callback only makes the next poll happen sooner (see hintDelay in ../scheduler.ts), so forged or
// duplicated callbacks cannot change a job.
import { JobError, KlingApiError } from '../../errors.js';
import type { Job } from '../job.js';
import { failJob, notify } from '../notifier.js';
import type { AvatarTask, RunnerContext, StepOutcome } from '../ports.js';
import { pollDelayMs } from './backoff.js';
import { partsStep } from './parts-step.js';

/** A task that stays unknown this many polls in a row is treated as gone. */
const NOT_FOUND_LIMIT = 3;

export async function pollStep(ctx: RunnerContext, job: Job): Promise<StepOutcome> {
  if (job.parts) return partsStep(ctx, job);
  const { pollFirstMs, pollMaxMs, deadlineMs } = ctx.config.follow;
  const kling = job.kling ?? { polls: 0 };
  const now = Date.now();
  if (now >= (kling.submittedAt ?? job.createdAt) + deadlineMs) {
    await failJob(
      ctx,
      job,
      new JobError('JOB_DEADLINE', 'deadline passed', {
        params: { minutes: Math.round(deadlineMs / 60_000) },
      }),
    );
    return { kind: 'stop' };
  }
  if (kling.nextPollAt && now < kling.nextPollAt) return { kind: 'wait', delayMs: kling.nextPollAt - now };

  const polls = kling.polls + 1;
  const backoffMs = pollDelayMs(polls, pollFirstMs, pollMaxMs);
  // At the cap, up to 20 % later at random: jobs that started together (a burst, a restart) drift
  // apart instead of polling the provider in the same second every minute. Never earlier, so a
  // re-run before nextPollAt finds nothing to do.
  const delayMs = backoffMs === pollMaxMs ? Math.round(backoffMs * (1 + Math.random() * 0.2)) : backoffMs;
  let task: AvatarTask;
  try {
    task = await ctx.api.getAvatarTask(kling.taskId ?? job.id);
  } catch (error) {
    const notFound = error instanceof KlingApiError && error.code === 'KLING_NOT_FOUND';
    if (notFound && polls >= NOT_FOUND_LIMIT) {
      await failJob(ctx, job, error);
      return { kind: 'stop' };
    }
    ctx.logger.warn({ jobId: job.id, polls, err: error }, 'poll failed, will try again');
    await ctx.store.update(job.id, (j) => {
      j.kling = { ...kling, polls, lastPollAt: now, nextPollAt: now + delayMs };
    });
    return { kind: 'wait', delayMs };
  }

  if (task.status === 'succeed') {
    const video = task.videos[0];
    if (!video) {
      await failJob(ctx, job, new KlingApiError('KLING_BAD_RESPONSE', 'succeeded task without a video'));
      return { kind: 'stop' };
    }
    await ctx.store.update(job.id, (j) => {
      j.state = 'downloading';
      j.kling = { ...kling, polls, lastPollAt: now, status: task.status };
      j.result = { url: video.url };
    });
    ctx.logger.info({ jobId: job.id, taskId: task.taskId, polls }, 'kling task succeeded');
    return { kind: 'continue' };
  }
  if (task.status === 'failed') {
    const detail = task.statusMessage || 'no reason given';
    await ctx.store.update(job.id, (j) => {
      j.kling = { ...kling, polls, lastPollAt: now, status: task.status, statusMessage: detail };
    });
    await failJob(ctx, job, new KlingApiError('KLING_TASK_FAILED', 'task failed', { params: { detail } }));
    return { kind: 'stop' };
  }
  const state = task.status === 'processing' ? 'processing' : 'submitted';
  const atCap = backoffMs === pollDelayMs(kling.polls, pollFirstMs, pollMaxMs);
  if (state === job.state && task.status === kling.status && atCap) {
    // Nothing changed and the back-off is at its cap: skip the store write. With a thousand renders
    // waiting this is most polls; after a restart such a job is simply polled once straight away.
    if (state === 'processing') await notify(ctx, job, state);
    return { kind: 'wait', delayMs };
  }
  const updated = await ctx.store.update(job.id, (j) => {
    j.state = state;
    j.kling = { ...kling, polls, lastPollAt: now, status: task.status, nextPollAt: now + delayMs };
  });
  if (updated.state === 'processing') await notify(ctx, updated, 'processing');
  return { kind: 'wait', delayMs };
}
