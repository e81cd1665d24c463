// The terminal adapter's replies: progress lines on stdout, and the finished video copied to OUT_DIR
// with a `video: <path>` line. Copying to a name derived from the job id makes delivery idempotent.
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type {
  AttachmentRef,
  ChatAdapter,
  DeliveryReceipt,
  JobUpdate,
  VideoResult,
} from '../../src/core/types.js';
import { localAttachment } from './local-attachment.js';

export const SHELL_ADAPTER = 'shell';

export class ShellAdapter implements ChatAdapter {
  readonly name = SHELL_ADAPTER;
  private readonly failedJobs = new Set<string>();
  private readonly deliveredJobs = new Set<string>();

  constructor(
    private readonly outDir: string,
    private readonly write: (line: string) => void,
    /** Sees every update after it is printed (the shell's answers to waiting jobs). */
    private readonly onUpdate?: (update: JobUpdate) => void,
  ) {}

  get failures(): number {
    return this.failedJobs.size;
  }

  get deliveries(): number {
    return this.deliveredJobs.size;
  }

  async update(update: JobUpdate): Promise<void> {
    if (update.phase === 'failed') this.failedJobs.add(update.jobId);
    if (update.phase !== 'delivered') this.write(`[${update.jobId}] ${update.text}`); // else `video:` says it
    this.onUpdate?.(update);
  }

  /** Local paths and URLs typed at the terminal can simply be read again after a restart. */
  reviveAttachment(input: Pick<AttachmentRef, 'name' | 'source'>): AttachmentRef {
    return localAttachment(input.source, 'photo');
  }

  async deliver(video: VideoResult): Promise<DeliveryReceipt> {
    await mkdir(this.outDir, { recursive: true });
    const target = path.join(this.outDir, `${video.jobId}.mp4`);
    await copyFile(video.path, target);
    this.deliveredJobs.add(video.jobId);
    const shown = path.relative(process.cwd(), target) || target;
    this.write(`[${video.jobId}] ${video.caption} (${video.durationSeconds.toFixed(1)} s, ${video.mode})`);
    this.write(`video: ${shown.startsWith('..') ? target : shown}`);
    return { location: target };
  }
}
