// Step 2: turn a prepared job into exactly one Kling task. The job is marked 'submitting' before the
// create call, so a crash or an ambiguous failure leads to reconciliation (look the task up by our
// external_task_id) instead of a second, billed create.
import { readFile } from 'node:fs/promises';
import { InputError, JobError, KlingApiError } from '../../errors.js';
import type { Job } from '../job.js';
import { failJob, notify } from '../notifier.js';
import type { AvatarTask, AvatarTaskBody, RunnerContext, StepOutcome } from '../ports.js';
import { pollDelayMs, retryDelayMs } from './backoff.js';
import { partsStep } from './parts-step.js';
import { TTS_CHARS_PER_SECOND } from './prepare.js';
import { publishMedia } from './publish-media.js';

const MAX_RECONCILE_ATTEMPTS = 8;

export async function submitStep(ctx: RunnerContext, initial: Job): Promise<StepOutcome> {
  if (initial.parts) return partsStep(ctx, initial);
  let job = initial;
  if (Date.now() - job.createdAt > ctx.config.follow.deadlineMs) {
    await failJob(ctx, job, deadlineError(ctx));
    return { kind: 'stop' };
  }
  let body: AvatarTaskBody;
  try {
    job = await ensureSpeech(ctx, job);
    body = await buildBody(ctx, job);
  } catch (error) {
    if (error instanceof KlingApiError && error.retryable) return retryLater(ctx, job, error);
    await failJob(ctx, job, error);
    return { kind: 'stop' };
  }
  job = await ctx.store.update(job.id, (j) => {
    j.state = 'submitting';
  });
  let task: AvatarTask;
  try {
    task = await ctx.submitLimit.run(() => ctx.api.createAvatarTask(body));
  } catch (error) {
    if (error instanceof KlingApiError && error.ambiguous) {
      ctx.logger.warn({ jobId: job.id, code: error.code, err: error }, 'create outcome unknown, reconciling');
      return { kind: 'wait', delayMs: retryDelayMs(0) };
    }
    if (isExternalIdTaken(error)) {
      // An earlier create of ours reached the provider late (after a lookup found nothing): the task
      // exists and bills, so adopt it rather than fail the job as "refused, nothing charged".
      ctx.logger.warn({ jobId: job.id, err: error }, 'task already exists at the provider, reconciling');
      return { kind: 'wait', delayMs: retryDelayMs(0) };
    }
    // Not ambiguous: the provider certainly holds no task, so going back to 'prepared' is safe.
    job = await ctx.store.update(job.id, (j) => {
      j.state = 'prepared';
    });
    if (error instanceof KlingApiError && error.retryable) return retryLater(ctx, job, error);
    await failJob(ctx, job, error);
    return { kind: 'stop' };
  }
  return adoptTask(ctx, job, task);
}

/** Resolves a job left in 'submitting': did our create reach the provider or not? */
export async function reconcileStep(ctx: RunnerContext, job: Job): Promise<StepOutcome> {
  if (job.parts) return partsStep(ctx, job);
  try {
    const task = await ctx.api.getAvatarTask(job.id);
    ctx.logger.info({ jobId: job.id, taskId: task.taskId }, 'reconciled: provider has the task');
    return adoptTask(ctx, job, task);
  } catch (error) {
    if (error instanceof KlingApiError && error.code === 'KLING_NOT_FOUND') {
      // The provider never saw it. Resubmitting reuses the same external_task_id, which the provider
      // refuses to duplicate, so even a late-appearing first create cannot be billed twice.
      ctx.logger.info({ jobId: job.id }, 'reconciled: no task at the provider, submitting again');
      await ctx.store.update(job.id, (j) => {
        j.state = 'prepared';
      });
      return { kind: 'continue' };
    }
    const attempts = (job.kling?.reconcileAttempts ?? 0) + 1;
    if (attempts > MAX_RECONCILE_ATTEMPTS) {
      await failJob(
        ctx,
        job,
        new JobError('JOB_SUBMIT_UNCONFIRMED', 'could not confirm create', { cause: error }),
      );
      return { kind: 'stop' };
    }
    await ctx.store.update(job.id, (j) => {
      j.kling = { ...(j.kling ?? { polls: 0 }), reconcileAttempts: attempts };
    });
    ctx.logger.warn({ jobId: job.id, attempts, err: error }, 'reconcile lookup failed, will retry');
    return { kind: 'wait', delayMs: retryDelayMs(attempts) };
  }
}

async function adoptTask(ctx: RunnerContext, job: Job, task: AvatarTask): Promise<StepOutcome> {
  const now = Date.now();
  const firstPoll = ctx.config.follow.pollFirstMs;
  const updated = await ctx.store.update(job.id, (j) => {
    j.state = 'submitted';
    j.kling = {
      ...(j.kling ?? {}),
      taskId: task.taskId,
      submittedAt: j.kling?.submittedAt ?? now,
      status: task.status,
      polls: j.kling?.polls ?? 0,
      nextPollAt: now + pollDelayMs(0, firstPoll, ctx.config.follow.pollMaxMs),
    };
  });
  ctx.logger.info({ jobId: job.id, taskId: task.taskId, mode: job.mode }, 'kling task submitted');
  await notify(ctx, updated, 'submitted');
  return { kind: 'wait', delayMs: firstPoll };
}

async function ensureSpeech(ctx: RunnerContext, job: Job): Promise<Job> {
  const prepared = job.prepared;
  if (!prepared) throw new Error('job has no prepared inputs');
  if (prepared.audioPath || prepared.audioId) return job;
  const { tts, audio } = ctx.config;
  const speech = await ctx.submitLimit.run(() =>
    ctx.api.synthesizeSpeech({
      text: job.input.text ?? '',
      voice_id: tts.voiceId,
      voice_language: tts.language,
      voice_speed: tts.speed,
    }),
  );
  const seconds = speech.durationSeconds;
  if (seconds < audio.minSeconds)
    throw new InputError('TEXT_TOO_SHORT', 'speech too short', {
      params: { min: audio.minSeconds, minChars: Math.ceil(audio.minSeconds * TTS_CHARS_PER_SECOND) },
    });
  if (seconds > audio.maxSeconds)
    throw new InputError('VOICE_TOO_LONG', 'speech too long', {
      params: { seconds: seconds.toFixed(1), max: audio.maxSeconds },
    });
  return ctx.store.update(job.id, (j) => {
    if (!j.prepared) return;
    j.prepared.audioId = speech.audioId;
    j.prepared.audioSeconds = seconds;
    j.estimatedCost = seconds * ctx.config.prices[j.mode];
  });
}

async function buildBody(ctx: RunnerContext, job: Job): Promise<AvatarTaskBody> {
  const prepared = job.prepared;
  if (!prepared) throw new Error('job has no prepared inputs');
  const { publicUrl } = ctx.config.http;
  const body: AvatarTaskBody = {
    image: (await readFile(prepared.imagePath)).toString('base64'),
    prompt: job.prompt,
    mode: job.mode,
    external_task_id: job.id,
    ...(ctx.callbackBaseUrl
      ? { callback_url: `${ctx.callbackBaseUrl}/kling/callback/${job.callbackToken}` }
      : {}),
  };
  if (prepared.audioId) return { ...body, audio_id: prepared.audioId };
  const audioPath = prepared.audioPath as string;
  const transport = ctx.config.kling.audioTransport;
  if (publicUrl && (transport === 'url' || transport === 'auto')) {
    return { ...body, sound_file: await publishMedia(ctx, job.id, audioPath, 'audio/mpeg', 6 * 3_600_000) };
  }
  return { ...body, sound_file: (await readFile(audioPath)).toString('base64') };
}

/** The provider's refusal to create a second task with our external_task_id (Kling code 1201). */
function isExternalIdTaken(error: unknown): boolean {
  return (
    error instanceof KlingApiError &&
    error.code === 'KLING_INVALID_REQUEST' &&
    /external_task_id/i.test(String(error.params.detail ?? ''))
  );
}

async function retryLater(ctx: RunnerContext, job: Job, error: KlingApiError): Promise<StepOutcome> {
  const delayMs = Math.max(error.retryAfterMs ?? 0, retryDelayMs(1));
  ctx.logger.warn({ jobId: job.id, code: error.code, delayMs }, 'provider busy, submit postponed');
  return { kind: 'wait', delayMs, providerBusy: error.code === 'KLING_RATE_LIMITED' };
}

function deadlineError(ctx: RunnerContext): JobError {
  return new JobError('JOB_DEADLINE', 'deadline passed', {
    params: { minutes: Math.round(ctx.config.follow.deadlineMs / 60_000) },
  });
}
