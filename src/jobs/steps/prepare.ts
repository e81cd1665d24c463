// Step 1: save the inputs locally (platform links expire) and check and repair them before any money
// is spent. Every refusal is an InputError whose message tells the user what to fix.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AttachmentRef } from '../../core/types.js';
import { InputError } from '../../errors.js';
import type { Job } from '../job.js';
import { failJob, notify } from '../notifier.js';
import type { RunnerContext, StepOutcome } from '../ports.js';
import { afterGate, applyGate, decideGate } from './gate.js';
import { planParts } from './parts-plan.js';

/** Rough speaking rate for text-to-speech estimates before the real audio exists. */
export const TTS_CHARS_PER_SECOND = 14;

export async function prepareStep(ctx: RunnerContext, initial: Job): Promise<StepOutcome> {
  let job = initial;
  if (job.state === 'accepted') {
    job = await ctx.store.update(job.id, (j) => {
      j.state = 'preparing';
    });
    await notify(ctx, job, 'preparing');
  }
  try {
    const dir = ctx.jobDir(job.id);
    await mkdir(dir, { recursive: true });
    job = await saveInputs(ctx, job, dir);
    const imagePath = job.input.image.path as string;
    const image = await ctx.mediaLimit.run(async () => ctx.media.prepareImage(await readFile(imagePath)));
    const preparedImagePath = path.join(dir, 'image.jpg');
    await writeFile(preparedImagePath, image.buffer);

    let audioPath: string | undefined;
    let audioSeconds: number;
    const repairs = [...image.repairs];
    const voice = job.input.voice;
    if (voice?.path) {
      const voicePath = voice.path;
      const prepared = await ctx.mediaLimit.run(() =>
        ctx.media.prepareVoice(
          {
            path: voicePath,
            name: voice.name,
            ...(voice.contentType ? { contentType: voice.contentType } : {}),
          },
          dir,
        ),
      );
      audioPath = prepared.path;
      audioSeconds = prepared.durationSeconds;
      repairs.push(...prepared.repairs);
      if (audioSeconds > ctx.config.audio.maxSeconds) {
        // Longer than one task allows: cut at pauses now, so the plan is known before any spending.
        const split = await planParts(ctx, job.id, prepared.path, audioSeconds);
        repairs.push(...split.repairs);
        job = await ctx.store.update(job.id, (j) => {
          j.parts = split.parts;
        });
      }
    } else {
      audioSeconds = Math.max(
        ctx.config.audio.minSeconds,
        (job.input.text ?? '').length / TTS_CHARS_PER_SECOND,
      );
    }
    const gate = await decideGate(ctx, job, audioSeconds);
    job = await ctx.store.update(job.id, (j) => {
      applyGate(j, gate);
      j.prepared = {
        imagePath: preparedImagePath,
        imageWidth: image.width,
        imageHeight: image.height,
        audioSeconds,
        repairs,
        ...(audioPath ? { audioPath } : {}),
      };
    });
    ctx.logger.info({ jobId: job.id, audioSeconds, repairs, mode: job.mode }, 'job inputs prepared');
    return afterGate(ctx, job);
  } catch (error) {
    await failJob(ctx, job, error);
    return { kind: 'stop' };
  }
}

async function saveInputs(ctx: RunnerContext, job: Job, dir: string): Promise<Job> {
  const needImage = !job.input.image.path;
  const needVoice = job.input.voice !== undefined && !job.input.voice.path;
  if (!needImage && !needVoice) return job;
  // After a restart the in-memory handles are gone; the adapter may be able to fetch the inputs again.
  const refs = ctx.pendingInputs.get(job.id) ?? revive(ctx, job);
  if (!refs)
    throw new InputError('DOWNLOAD_FAILED', 'inputs lost before download', { params: { what: 'photo' } });
  const maxBytes = ctx.config.media.inputMaxBytes;
  const imagePath = needImage
    ? await saveOne(refs.image, path.join(dir, 'input-image'), maxBytes)
    : undefined;
  const voicePath =
    needVoice && refs.voice ? await saveOne(refs.voice, path.join(dir, 'input-voice'), maxBytes) : undefined;
  ctx.pendingInputs.delete(job.id);
  return ctx.store.update(job.id, (j) => {
    if (imagePath) j.input.image.path = imagePath;
    if (voicePath && j.input.voice) j.input.voice.path = voicePath;
  });
}

function revive(ctx: RunnerContext, job: Job): { image: AttachmentRef; voice?: AttachmentRef } | undefined {
  const adapter = ctx.adapters.get(job.replyTo.adapter);
  const image = adapter?.reviveAttachment?.(job.input.image, 'image');
  const voice = job.input.voice ? adapter?.reviveAttachment?.(job.input.voice, 'voice') : undefined;
  if (!image || (job.input.voice && !voice)) return undefined;
  return voice ? { image, voice } : { image };
}

async function saveOne(ref: AttachmentRef, file: string, maxBytes: number): Promise<string> {
  const bytes = await ref.fetch(maxBytes);
  await writeFile(file, bytes);
  return file;
}
