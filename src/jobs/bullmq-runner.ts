// The scheduler for several instances on one Redis, built on BullMQ: one queue entry per avatar job
// for its whole life, moved to BullMQ's delayed set between polls. BullMQ's job lock means exactly one
// instance drives a job at a time; its stalled-job check hands the job to another instance when the
// holder dies; its global rate limiter caps step runs across all instances and pauses them all when
// Kling says it is at its concurrency limit (1303). Job state stays in the job store, as in the
// embedded mode, so both engines run the same steps (step-driver.ts).

import { DelayedError, Queue, type Job as QueueEntry, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { runWithJob } from '../logger.js';
import type { RunnerContext } from './ports.js';
import { openQueueConnections, type QueueConnections } from './queue-connections.js';
import { hintDelay, type JobScheduler, resumeDelay } from './scheduler.js';
import { driveJob } from './step-driver.js';

export interface BullmqSettings {
  url: string;
  prefix: string;
  concurrency: number;
  rateMax: number;
  rateWindowMs: number;
  lockMs: number;
  stalledCheckMs: number;
}

interface EntryData {
  /** When the entry is due to run (ms since epoch): lets a booking tell whether it is earlier. */
  due: number;
}

const QUEUE_NAME = 'jobs';
/** A wake-up asked for while the job was running is kept this long for the running step to see. */
const WAKE_TTL_MS = 10 * 60_000;
/** Bounds the wait for running steps at shutdown; a step cut short is recovered as stalled. */
const STOP_GRACE_MS = 5_000;
/** Re-books unfinished jobs whose queue entry went missing (a failed booking, an exhausted retry). */
const SWEEP_INTERVAL_MS = 5 * 60_000;
const BOOKING_ATTEMPTS = 4;
const ENTRY_OPTIONS = {
  removeOnComplete: true,
  removeOnFail: true,
  // Only a throw counts as an attempt (a store outage mid-step); waits between polls do not.
  attempts: 12,
  backoff: { type: 'exponential', delay: 1_000 },
} as const;

export class BullmqRunner implements JobScheduler {
  private worker: Worker<EntryData> | undefined;
  private stopping = false;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly bookings = new Set<Promise<void>>();

  private constructor(
    private readonly ctx: RunnerContext,
    private readonly settings: BullmqSettings,
    private readonly connections: QueueConnections,
    private readonly queue: Queue<EntryData>,
  ) {}

  /** Connects to Redis (failing fast when it is unreachable) without taking any work yet. */
  static async open(ctx: RunnerContext, settings: BullmqSettings): Promise<BullmqRunner> {
    const connections = await openQueueConnections(settings.url, ctx.logger);
    const queue = new Queue<EntryData>(QUEUE_NAME, {
      connection: connections.commands,
      prefix: settings.prefix,
    });
    queue.on('error', (err) => ctx.logger.warn({ err }, 'queue error'));
    return new BullmqRunner(ctx, settings, connections, queue);
  }

  schedule(jobId: string, delayMs = 0): void {
    if (this.stopping) return;
    this.startWorker();
    const booking = this.bookWithRetry(jobId, Math.max(0, delayMs)).catch((err: unknown) => {
      // The periodic sweep books it again; the job itself is safe in the store.
      this.ctx.logger.error({ jobId, err }, 'could not book a job step');
    });
    this.bookings.add(booking);
    void booking.finally(() => this.bookings.delete(booking));
  }

  async hint(jobId: string): Promise<void> {
    const delayMs = await hintDelay(this.ctx.store, jobId);
    if (delayMs !== undefined) this.schedule(jobId, delayMs);
  }

  /** Starts taking work here and books every unfinished job that has no queue entry. */
  async resumeAll(): Promise<number> {
    this.startWorker();
    const count = await this.bookUnfinished();
    this.sweepTimer ??= setInterval(() => {
      void this.bookUnfinished().catch((err: unknown) => this.ctx.logger.warn({ err }, 'queue sweep failed'));
    }, SWEEP_INTERVAL_MS).unref();
    return count;
  }

  /** Resolves once no job is waiting, delayed or running anywhere on this queue. */
  async idle(): Promise<void> {
    for (;;) {
      await Promise.allSettled([...this.bookings]);
      const counts = await this.queue.getJobCounts('active', 'wait', 'delayed', 'prioritized', 'paused');
      if (Object.values(counts).every((n) => n === 0) && this.bookings.size === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await Promise.allSettled([...this.bookings]);
    if (this.worker) {
      // Running steps see `stopping` and hand their job back between steps; one stuck in a long step
      // (an upload) is left to BullMQ's stalled check, which gives it to another instance.
      const graceful = this.worker.close();
      const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), STOP_GRACE_MS));
      if ((await Promise.race([graceful, timer])) === 'late') await this.worker.close(true);
    }
    await this.queue.close();
    await this.connections.close();
  }

  private startWorker(): void {
    if (this.worker || this.stopping) return;
    const { settings } = this;
    this.worker = new Worker<EntryData>(QUEUE_NAME, (entry, token) => this.process(entry, token), {
      connection: this.connections.worker,
      prefix: settings.prefix,
      concurrency: settings.concurrency,
      limiter: { max: settings.rateMax, duration: settings.rateWindowMs },
      lockDuration: settings.lockMs,
      stalledInterval: settings.stalledCheckMs,
      // A job whose holder keeps dying is still followed: the store's state, not BullMQ, decides.
      maxStalledCount: 10,
    });
    this.worker.on('error', (err) => this.ctx.logger.warn({ err }, 'queue worker error'));
    this.worker.on('stalled', (jobId) => this.ctx.logger.warn({ jobId }, 'stalled step taken over'));
  }

  private async process(entry: QueueEntry<EntryData>, token: string | undefined): Promise<void> {
    const jobId = entry.id as string;
    const result = await runWithJob(jobId, () => driveJob(this.ctx, jobId, () => this.stopping));
    if (result.kind === 'done') return;
    let delayMs = result.kind === 'wait' ? result.delayMs : 0;
    if (result.kind === 'wait' && result.providerBusy) {
      // Every instance holds back, not just this job: Kling's limit is per account.
      this.ctx.logger.warn({ jobId, delayMs }, 'provider busy: pausing the job queue');
      await this.queue.rateLimit(delayMs);
    }
    const wake = await this.takeWake(jobId);
    if (wake !== undefined) delayMs = Math.min(delayMs, Math.max(0, wake - Date.now()));
    const due = Date.now() + delayMs;
    await entry.updateData({ due });
    await entry.moveToDelayed(due, token);
    // A wake-up that landed between the check above and the move is applied to the delayed entry.
    const late = await this.takeWake(jobId);
    if (late !== undefined && late < due) this.schedule(jobId, late - Date.now());
    throw new DelayedError();
  }

  /** The store may reconnect a moment before the queue's connection does: try a few times. */
  private async bookWithRetry(jobId: string, delayMs: number): Promise<void> {
    const requestedAt = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.book(jobId, Math.max(0, requestedAt + delayMs - Date.now()));
      } catch (error) {
        if (attempt >= BOOKING_ATTEMPTS || this.stopping) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  /** Books a run `delayMs` from now unless an earlier one is booked; safe from any instance. */
  private async book(jobId: string, delayMs: number): Promise<void> {
    const due = Date.now() + delayMs;
    const existing = await this.queue.getJob(jobId);
    if (!existing) {
      // Two instances adding the same id at once still make one entry: BullMQ ignores the second.
      await this.queue.add('step', { due }, { ...ENTRY_OPTIONS, jobId, delay: delayMs });
      return;
    }
    const state = await existing.getState();
    if (state === 'delayed') return this.bringForward(existing, due);
    if (state === 'active') {
      await this.redis.set(this.wakeKey(jobId), String(due), 'PX', WAKE_TTL_MS);
      // The step may have moved it to delayed just before the marker was written.
      if ((await existing.getState()) === 'delayed') await this.bringForward(existing, due);
    }
    // 'waiting' and the like: it runs as soon as a worker is free, which is the earliest anyway.
  }

  private async bringForward(entry: QueueEntry<EntryData>, due: number): Promise<void> {
    if ((entry.data?.due ?? Number.POSITIVE_INFINITY) <= due) return;
    try {
      await entry.changeDelay(Math.max(0, due - Date.now()));
      await entry.updateData({ due });
    } catch (err) {
      // Promoted or picked up meanwhile: it is running now, which is what the booking wanted.
      this.ctx.logger.debug({ jobId: entry.id, err }, 'booking raced a running step');
    }
  }

  private async bookUnfinished(): Promise<number> {
    const jobs = await this.ctx.store.listUnfinished();
    const spreadMs = this.ctx.config.follow.pollMaxMs;
    await Promise.all(jobs.map((job, i) => this.book(job.id, resumeDelay(job, i, jobs.length, spreadMs))));
    if (jobs.length > 0) this.ctx.logger.info({ count: jobs.length }, 'resuming unfinished jobs');
    return jobs.length;
  }

  private async takeWake(jobId: string): Promise<number | undefined> {
    const value = await this.redis.getdel(this.wakeKey(jobId));
    return value === null ? undefined : Number(value);
  }

  private wakeKey(jobId: string): string {
    return `${this.settings.prefix}:wake:${jobId}`;
  }

  private get redis(): Redis {
    return this.connections.commands;
  }
}
