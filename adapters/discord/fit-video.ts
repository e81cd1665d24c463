// Re-encodes a finished video to fit Discord's upload limit when the bitrate that fits still looks
// acceptable; otherwise reports "does not fit" and the caller posts a link instead.
import { stat } from 'node:fs/promises';
import type { Config } from '../../src/config.js';
import { fileUrl } from '../../src/media/probe.js';
import { runTool } from '../../src/media/run.js';
import { type MediaTools, resolveMediaTools } from '../../src/media/tools.js';
import { Semaphore } from '../../src/util/semaphore.js';

export interface FitPlan {
  height: number;
  videoKbps: number;
  audioKbps: number;
}

/** Container overhead and encoder overshoot eat into the budget; aim below the limit. */
const BUDGET_SHARE = 0.88;
/** Below these video bitrates a talking face turns to blocks at the given height: not worth sending. */
const LADDER: ReadonlyArray<{ minKbps: number; height: number }> = [
  { minKbps: 900, height: 720 },
  { minKbps: 450, height: 480 },
  { minKbps: 200, height: 360 },
];
const ENCODE_TIMEOUT_MS = 10 * 60_000;

/** Pure: the encode settings that fit `limitBytes` for a video this long, or undefined if none is watchable. */
export function planFit(limitBytes: number, durationSeconds: number, factor = 1): FitPlan | undefined {
  if (!(durationSeconds > 0) || limitBytes <= 0) return undefined;
  const totalKbps = ((limitBytes * 8 * BUDGET_SHARE) / durationSeconds / 1000) * factor;
  const audioKbps = totalKbps > 600 ? 96 : 64;
  const videoKbps = Math.floor(totalKbps - audioKbps);
  const rung = LADDER.find((r) => videoKbps >= r.minKbps);
  return rung ? { height: rung.height, videoKbps: Math.min(videoKbps, 4000), audioKbps } : undefined;
}

function ffmpegArgs(input: string, output: string, plan: FitPlan): string[] {
  const v = plan.videoKbps;
  return [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', fileUrl(input)],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'],
    ...['-b:v', `${v}k`, '-maxrate', `${v}k`, '-bufsize', `${2 * v}k`],
    ...['-vf', `scale=-2:'min(${plan.height},ih)'`],
    ...['-c:a', 'aac', '-b:a', `${plan.audioKbps}k`, '-movflags', '+faststart', output],
  ];
}

export type VideoFitter = (
  input: string,
  output: string,
  limitBytes: number,
  durationSeconds: number,
) => Promise<{ path: string; bytes: number } | undefined>;

/** One encode at a time: this runs beside the core's own ffmpeg work on the same cores. */
export function createVideoFitter(media: Config['media']): VideoFitter {
  const limit = new Semaphore(1);
  let tools: Promise<MediaTools> | undefined;
  return (input, output, limitBytes, durationSeconds) =>
    limit.run(async () => {
      tools ??= resolveMediaTools(media);
      const { ffmpeg } = await tools;
      // A second, leaner try covers the encoder overshooting a short clip's budget.
      for (const factor of [1, 0.75]) {
        const plan = planFit(limitBytes, durationSeconds, factor);
        if (!plan) return undefined;
        await runTool(ffmpeg, ffmpegArgs(input, output, plan), { timeoutMs: ENCODE_TIMEOUT_MS });
        const bytes = (await stat(output)).size;
        if (bytes <= limitBytes) return { path: output, bytes };
      }
      return undefined;
    });
}
