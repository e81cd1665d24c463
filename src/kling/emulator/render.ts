// Renders the emulator's "avatar video": the still photo looped over the audio as a real H.264/AAC
// MP4, so clients exercise the same download, probe and upload paths as with Kling's output.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { Semaphore } from '../../util/semaphore.js';
import { type ProcessRunner, probeMedia } from './proc.js';

const MAX_HEIGHT = 720;
/** Two ffmpeg encodes at a time keep a burst of tasks from starving the event loop and the CPU. */
const RENDER_CONCURRENCY = 2;

export interface RenderJob {
  imagePath: string;
  audioPath: string;
  audioSeconds: number;
  outPath: string;
}

export class Renderer {
  private readonly semaphore = new Semaphore(RENDER_CONCURRENCY);

  constructor(
    private readonly runner: ProcessRunner,
    private readonly ffmpegPath: string,
    private readonly ffprobePath: string,
    private readonly scratchDir: string,
    private readonly isClosed: () => boolean,
  ) {}

  /** Resolves with the rendered file's duration in seconds; rejects if ffmpeg fails. */
  render(job: RenderJob): Promise<number> {
    return this.semaphore.run(async () => {
      if (this.isClosed()) throw new Error('emulator closed');
      const framePath = path.join(this.scratchDir, `${randomUUID()}-frame.png`);
      try {
        const { width, height } = await this.writeFrame(job.imagePath, framePath);
        const result = await this.runner.run(this.ffmpegPath, this.ffmpegArgs(job, framePath, width, height));
        if (result.code !== 0) throw new Error(`ffmpeg exited with ${result.code}: ${result.stderr.trim()}`);
        const probe = await probeMedia(this.runner, this.ffprobePath, job.outPath);
        if (!probe?.hasVideo || !probe.hasAudio)
          throw new Error('rendered file lacks a video or audio stream');
        return probe.duration;
      } finally {
        await rm(framePath, { force: true });
      }
    });
  }

  /**
   * sharp applies EXIF orientation (ffmpeg would not) and sizes the frame to even dimensions, at most
   * 720 px high, which yuv420p/libx264 require; PNG keeps the frame lossless before the one encode.
   */
  private async writeFrame(input: string, output: string): Promise<{ width: number; height: number }> {
    const meta = await sharp(input).metadata();
    const srcW = meta.autoOrient?.width ?? meta.width ?? MAX_HEIGHT;
    const srcH = meta.autoOrient?.height ?? meta.height ?? MAX_HEIGHT;
    const height = even(Math.min(MAX_HEIGHT, srcH));
    const width = even((srcW * height) / srcH);
    await sharp(input).rotate().resize(width, height, { fit: 'fill' }).flatten().png().toFile(output);
    return { width, height };
  }

  /**
   * The image is read at 2 fps (cheap) but written at 25 fps: a 2 fps stream cut with -t ends on a
   * half-second boundary, so the video would overshoot the audio by up to 0.5 s. `-shortest` is not
   * used because with a looped image it overshoots too; -t with the measured audio length is exact.
   */
  private ffmpegArgs(job: RenderJob, frame: string, width: number, height: number): string[] {
    return [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
      ...['-loop', '1', '-framerate', '2', '-i', frame, '-i', job.audioPath],
      ...['-map', '0:v:0', '-map', '1:a:0'],
      ...['-c:v', 'libx264', '-tune', 'stillimage', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'],
      ...['-vf', `scale=${width}:${height},fps=25`],
      ...['-c:a', 'aac', '-b:a', '128k', '-t', job.audioSeconds.toFixed(3)],
      ...['-movflags', '+faststart', job.outPath],
    ];
  }
}

function even(value: number): number {
  return Math.max(2, Math.floor(value / 2) * 2);
}
