// Part of step 1 for a voice note longer than one task allows: find its pauses, plan the cuts and
// write one MP3 per part, before anything is spent. The plan (parts, seconds, cost) is what the user
// sees in the 'prepared' update.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { planSplit } from '../../media/split-plan.js';
import { formatSeconds } from '../../media/units.js';
import { type JobPart, partExternalId } from '../parts.js';
import type { RunnerContext } from '../ports.js';

/**
 * Room kept below AUDIO_MAX_SECONDS for each part: a provider measuring the part's MP3 from its
 * container counts the encoder's delay and padding (about 0.05-0.15 s), so an exact 60.000 s part
 * would read as 60.06 s and be refused.
 */
export const PART_MARGIN_SECONDS = 0.25;

export async function planParts(
  ctx: RunnerContext,
  jobId: string,
  audioPath: string,
  audioSeconds: number,
): Promise<{ parts: JobPart[]; repairs: string[] }> {
  const { audio, split } = ctx.config;
  const partsDir = path.join(ctx.jobDir(jobId), 'parts');
  await rm(partsDir, { recursive: true, force: true });
  await mkdir(partsDir, { recursive: true });
  const { plan, files, pauses } = await ctx.mediaLimit.run(async () => {
    const found = await ctx.media.detectPauses(audioPath, audioSeconds);
    const planned = planSplit(audioSeconds, found, {
      minSeconds: audio.minSeconds,
      maxSeconds: audio.maxSeconds - PART_MARGIN_SECONDS,
      searchSeconds: split.searchSeconds,
    });
    const written = await ctx.media.splitAudio(audioPath, planned.parts, partsDir);
    return { plan: planned, files: written, pauses: found.length };
  });

  const repairs = [`split ${formatSeconds(audioSeconds)} s into ${files.length} parts at pauses`];
  const hard = plan.cuts.filter((c) => c.kind === 'hard');
  for (const cut of hard)
    repairs.push(
      `cut at ${formatSeconds(cut.atSeconds)} s inside speech: no pause within ${split.searchSeconds} s before the limit`,
    );
  const cuts = plan.cuts.map((c) => Number(c.atSeconds.toFixed(3)));
  ctx.logger.info({ jobId, parts: files.length, cuts, pauses }, 'voice note split into parts');
  if (hard.length > 0)
    ctx.logger.warn(
      { jobId, hardCuts: hard.map((c) => c.atSeconds) },
      'no pause near the limit, cut inside speech',
    );

  const parts = files.map((file, i) => ({
    index: i + 1,
    startSeconds: file.startSeconds,
    durationSeconds: file.durationSeconds,
    audioPath: file.path,
    state: 'prepared' as const,
    externalTaskId: partExternalId(jobId, i + 1, 0),
    polls: 0,
    attempts: 0,
  }));
  return { parts, repairs };
}
