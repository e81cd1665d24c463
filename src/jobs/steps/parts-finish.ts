// The end of a split job: join the downloaded parts into one MP4 over the original audio and hand
// it to the ordinary delivery step; or, when a part fails for good, fail the request saying which
// part, why, and what was spent on it.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { type AvatarError, asAvatarError, JobError } from '../../errors.js';
import { describeError } from '../../i18n/catalog.js';
import { formatSeconds } from '../../media/units.js';
import type { Job } from '../job.js';
import { failJob, notify } from '../notifier.js';
import { findPart, partsSpend } from '../parts.js';
import type { RunnerContext, StepOutcome } from '../ports.js';
import { retryDelayMs } from './backoff.js';

const MAX_JOIN_ATTEMPTS = 3;

/** The job's state is 'downloading' once every part's video is saved; this makes the result. */
export async function joinPartsStep(ctx: RunnerContext, job: Job): Promise<StepOutcome> {
  const parts = job.parts ?? [];
  const attempts = (job.delivery?.attempts ?? 0) + 1;
  try {
    const audioPath = job.prepared?.audioPath;
    const videoPaths = parts.map((p) => p.videoPath);
    if (!audioPath || !job.prepared || videoPaths.some((p) => !p)) throw new Error('parts missing');
    const outPath = path.join(ctx.jobDir(job.id), 'result.mp4');
    const started = Date.now();
    const joined = await ctx.mediaLimit.run(() =>
      ctx.media.joinParts({
        videoPaths: videoPaths as string[],
        partSeconds: parts.map((p) => p.durationSeconds),
        audioPath,
        audioSeconds: job.prepared?.audioSeconds ?? 0,
        outPath,
      }),
    );
    await ctx.store.update(job.id, (j) => {
      j.state = 'delivering';
      j.result = {
        url: `file://${outPath}`,
        path: outPath,
        bytes: joined.bytes,
        durationSeconds: joined.durationSeconds,
      };
      j.delivery = { attempts: 0 };
    });
    ctx.logger.info(
      { jobId: job.id, parts: parts.length, method: joined.method, ms: Date.now() - started },
      'parts joined',
    );
    // The joined file holds every part's picture now; the part videos only take disk space.
    await Promise.all(videoPaths.map((p) => (p ? rm(p, { force: true }) : undefined)));
    return { kind: 'continue' };
  } catch (error) {
    ctx.logger.warn({ jobId: job.id, attempts, err: error }, 'joining the parts failed');
    if (attempts >= MAX_JOIN_ATTEMPTS) {
      const params = { parts: parts.length };
      await failJob(ctx, job, new JobError('PARTS_JOIN_FAILED', 'join failed', { params, cause: error }));
      return { kind: 'stop' };
    }
    await ctx.store.update(job.id, (j) => {
      j.delivery = { attempts };
    });
    return { kind: 'wait', delayMs: retryDelayMs(attempts) };
  }
}

/**
 * Part `index` cannot be made: the whole request fails with PART_FAILED, naming the part, the reason,
 * and the seconds and money the parts submitted so far may have cost. Always resolves undefined.
 */
export async function failPart(
  ctx: RunnerContext,
  job: Job,
  index: number,
  cause: unknown,
): Promise<undefined> {
  const reason: AvatarError = asAvatarError(cause);
  let charged = false;
  const failed = await ctx.store.update(job.id, (j) => {
    const parts = j.parts ?? [];
    // Counted before this part is marked: a part that was being submitted may exist at the provider.
    const spend = partsSpend(parts, ctx.config.prices[j.mode]);
    const part = findPart(j, index);
    const error = new JobError('PART_FAILED', `part ${index} failed`, {
      params: {
        part: index,
        parts: parts.length,
        from: formatSeconds(part?.startSeconds ?? 0),
        to: formatSeconds((part?.startSeconds ?? 0) + (part?.durationSeconds ?? 0)),
        reason: describeError(j.locale, reason),
        submitted: spend.submitted,
        seconds: spend.seconds.toFixed(1),
        cost: spend.cost.toFixed(2),
      },
    });
    if (part) {
      part.state = 'failed';
      part.error = { code: reason.code, message: describeError(j.locale, reason) };
    }
    charged = spend.submitted > 0;
    j.state = 'failed';
    j.error = { code: error.code, message: describeError(j.locale, error), charged };
  });
  ctx.logger.warn(
    { jobId: job.id, part: index, code: reason.code, charged, err: reason },
    'part failed for good, job failed',
  );
  await notify(ctx, failed, 'failed');
  return undefined;
}
