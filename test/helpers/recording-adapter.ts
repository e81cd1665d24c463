// A ChatAdapter that records what the core tells it, for tests that need to see updates and
// deliveries without a chat platform (adapter tests use the real adapters against platform fakes).
import { readFile } from 'node:fs/promises';
import type {
  AttachmentRef,
  ChatAdapter,
  DeliveryReceipt,
  JobUpdate,
  VideoResult,
} from '../../src/core/types.js';

export class RecordingAdapter implements ChatAdapter {
  readonly updates: JobUpdate[] = [];
  readonly deliveries: VideoResult[] = [];
  private waiters: Array<{ jobId: string; resolve: (u: JobUpdate) => void }> = [];

  constructor(readonly name = 'recording') {}

  async update(update: JobUpdate): Promise<void> {
    this.updates.push(update);
    if (update.phase === 'delivered' || update.phase === 'failed') {
      for (const w of this.waiters.filter((x) => x.jobId === update.jobId)) w.resolve(update);
      this.waiters = this.waiters.filter((x) => x.jobId !== update.jobId);
    }
  }

  async deliver(video: VideoResult): Promise<DeliveryReceipt> {
    this.deliveries.push(video);
    return { location: `recorded:${video.jobId}` };
  }

  /** Test requests use local files as sources, so any instance can read them again. */
  reviveAttachment(input: Pick<AttachmentRef, 'name' | 'source'>): AttachmentRef {
    return { name: input.name, source: input.source, fetch: () => readFile(input.source) };
  }

  /** Resolves with the job's final update ('delivered' or 'failed'). */
  finished(jobId: string, timeoutMs = 30_000): Promise<JobUpdate> {
    const done = this.updates.find(
      (u) => u.jobId === jobId && (u.phase === 'delivered' || u.phase === 'failed'),
    );
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`job ${jobId} did not finish in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        jobId,
        resolve: (u) => {
          clearTimeout(timer);
          resolve(u);
        },
      });
    });
  }

  /** Resolves with the job's first update in `phase` (polling; for phases `finished` does not end on). */
  async waitFor(jobId: string, phase: JobUpdate['phase'], timeoutMs = 30_000): Promise<JobUpdate> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.updates.find((u) => u.jobId === jobId && u.phase === phase);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`job ${jobId} never reached ${phase}: ${this.phases(jobId)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  phases(jobId: string): string[] {
    return this.updates.filter((u) => u.jobId === jobId).map((u) => u.phase);
  }
}
