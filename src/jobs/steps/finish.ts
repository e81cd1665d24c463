// Step 4: download the finished video at once (provider URLs expire), check it, and hand it to the
// adapter exactly once. 'delivering' is recorded before the adapter is called; adapters are idempotent
// per job id for the rare crash between posting and recording it.
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { JobError } from '../../errors.js';
import { downloadToFile } from '../../http/download.js';
import { t } from '../../i18n/catalog.js';
import type { Job } from '../job.js';
import { buildUpdate, failJob, notify } from '../notifier.js';
import type { RunnerContext, StepOutcome } from '../ports.js';
import { retryDelayMs } from './backoff.js';
import { joinPartsStep } from './parts-finish.js';

const MAX_ATTEMPTS = 5;
const MAX_RESULT_BYTES = 1_000_000_000;
const DURATION_TOLERANCE_SECONDS = 0.5;

export async function downloadStep(ctx: RunnerContext, job: Job): Promise<StepOutcome> {
  if (job.parts) return joinPartsStep(ctx, job);
  const url = job.result?.url;
  const attempts = (job.delivery?.attempts ?? 0) + 1;
  try {
    if (!url) throw new Error('no result url');
    const file = path.join(ctx.jobDir(job.id), 'result.mp4');
    // Usually made when the inputs were saved, but not by an instance whose data folder did not see
    // that (or by a job restored from a backup of the store alone).
    await mkdir(ctx.jobDir(job.id), { recursive: true });
    await ctx.mediaLimit.run(() =>
      downloadToFile(url, file, { maxBytes: MAX_RESULT_BYTES, timeoutMs: 5 * 60_000 }),
    );
    const bytes = (await stat(file)).size;
    const durationSeconds = (await ctx.media.videoDuration(file)) ?? job.prepared?.audioSeconds ?? 0;
    const expected = job.prepared?.audioSeconds;
    if (expected !== undefined && Math.abs(durationSeconds - expected) > DURATION_TOLERANCE_SECONDS) {
      ctx.logger.warn({ jobId: job.id, durationSeconds, expected }, 'result duration differs from the audio');
    }
    await ctx.store.update(job.id, (j) => {
      j.state = 'delivering';
      j.result = { url, path: file, bytes, durationSeconds };
      j.delivery = { attempts: 0 };
    });
    return { kind: 'continue' };
  } catch (error) {
    ctx.logger.warn({ jobId: job.id, attempts, err: error }, 'result download failed');
    if (attempts >= MAX_ATTEMPTS) {
      await failJob(
        ctx,
        job,
        new JobError('RESULT_DOWNLOAD_FAILED', 'result download failed', { cause: error }),
      );
      return { kind: 'stop' };
    }
    await ctx.store.update(job.id, (j) => {
      j.delivery = { attempts };
    });
    return { kind: 'wait', delayMs: retryDelayMs(attempts) };
  }
}

export async function deliverStep(ctx: RunnerContext, job: Job): Promise<StepOutcome> {
  const adapter = ctx.adapters.get(job.replyTo.adapter);
  if (!adapter) {
    // Picked up again when an instance with this adapter starts.
    ctx.logger.warn({ jobId: job.id, adapter: job.replyTo.adapter }, 'no adapter to deliver this job');
    return { kind: 'stop' };
  }
  const result = job.result;
  const attempts = (job.delivery?.attempts ?? 0) + 1;
  const updated = await ctx.store.update(job.id, (j) => {
    j.delivery = { ...(j.delivery ?? {}), attempts };
  });
  try {
    if (!result?.path) throw new Error('no downloaded result');
    const receipt = await adapter.deliver(
      {
        jobId: job.id,
        path: result.path,
        bytes: result.bytes ?? 0,
        durationSeconds: result.durationSeconds ?? 0,
        mode: job.mode,
        caption: t(job.locale, 'job.caption', { user: job.requester.displayName }),
      },
      buildUpdate(updated, 'delivering'),
    );
    const delivered = await ctx.store.update(job.id, (j) => {
      j.state = 'delivered';
      j.delivery = { attempts, location: receipt.location, deliveredAt: Date.now() };
    });
    ctx.logger.info({ jobId: job.id, location: receipt.location }, 'video delivered');
    await notify(ctx, delivered, 'delivered');
    return { kind: 'stop' };
  } catch (error) {
    ctx.logger.warn({ jobId: job.id, attempts, err: error }, 'delivery failed');
    if (attempts >= MAX_ATTEMPTS) {
      await failJob(ctx, updated, new JobError('DELIVERY_FAILED', 'delivery failed', { cause: error }));
      return { kind: 'stop' };
    }
    return { kind: 'wait', delayMs: retryDelayMs(attempts) };
  }
}
