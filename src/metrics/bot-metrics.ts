// Prometheus metrics for one app, served as text by GET /metrics. Each app has its own registry: tests
// build many apps in one process, and prom-client's global registry refuses a metric name twice.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { JobPhase } from '../core/types.js';
import { AvatarError, KlingApiError } from '../errors.js';
import type { Job } from '../jobs/job.js';
import type { Logger } from '../logger.js';

export type KlingOperation = 'create' | 'query' | 'tts';

/** Every state a job can wait in; each gets a sample (0 included) so dashboards see no gaps. */
const UNFINISHED_STATES: readonly JobPhase[] = [
  'accepted',
  'preparing',
  'prepared',
  'awaiting_confirmation',
  'submitting',
  'submitted',
  'processing',
  'downloading',
  'delivering',
];

/** Seconds from "the video is ready" to "it is in the chat": download, check, upload. */
const DELIVERY_BUCKETS = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800];

/** Where the unfinished-jobs gauge reads from at scrape time (the job store). */
export interface UnfinishedSource {
  listUnfinished(): Promise<Job[]>;
}

let processRegistry: Registry | undefined;

/**
 * prom-client's default metrics describe the process, not an app, and start process-wide observers (GC,
 * event-loop delay) that cannot be stopped. So they live in one registry per process, created on the
 * first scrape: apps nobody scrapes (tests, the shell demo) never start those observers.
 */
function defaultMetricsRegistry(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export class BotMetrics {
  readonly registry = new Registry();
  readonly contentType: string = this.registry.contentType;
  readonly #logger: Logger;
  #source: UnfinishedSource | undefined;

  readonly #klingRequests = new Counter({
    name: 'avatar_bot_kling_requests_total',
    help: 'Kling API operations started, by operation (create, query, tts); client retries not counted.',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  readonly #klingErrors = new Counter({
    name: 'avatar_bot_kling_errors_total',
    help: 'Kling API operations that failed, by operation, stable error code and Kling numeric code.',
    labelNames: ['operation', 'code', 'kling_code'] as const,
    registers: [this.registry],
  });

  readonly #jobsEnded = new Counter({
    name: 'avatar_bot_jobs_ended_total',
    help: 'Jobs that reached a terminal state on this instance, by state and error code (none if delivered).',
    labelNames: ['state', 'code'] as const,
    registers: [this.registry],
  });

  readonly #deliveryLatency = new Histogram({
    name: 'avatar_bot_delivery_latency_seconds',
    help: 'Seconds from the bot first seeing the Kling task succeed to the chat delivery finishing.',
    buckets: DELIVERY_BUCKETS,
    registers: [this.registry],
  });

  constructor(logger: Logger) {
    this.#logger = logger;
    const unfinished: Gauge<'state'> = new Gauge({
      name: 'avatar_bot_jobs_unfinished',
      help: 'Unfinished jobs in the shared job store by state, counted at scrape time.',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect: () => this.#countUnfinished(unfinished),
    });
  }

  /** Tells the gauge where to count unfinished jobs (set once the store is open). */
  countFrom(source: UnfinishedSource): void {
    this.#source = source;
  }

  /** Runs one Kling operation, counting it and, if it throws, its error code. */
  async klingCall<T>(operation: KlingOperation, call: () => Promise<T>): Promise<T> {
    this.#klingRequests.inc({ operation });
    try {
      return await call();
    } catch (error) {
      this.#klingErrors.inc({ operation, ...errorLabels(error) });
      throw error;
    }
  }

  /** Called once per job, when it moves into a terminal state. */
  jobEnded(job: Job): void {
    this.#jobsEnded.inc({ state: job.state, code: job.error?.code ?? 'none' });
    if (job.state !== 'delivered') return;
    const seen = succeededSeenAt(job);
    const done = job.delivery?.deliveredAt;
    // Records from older versions may lack either time; a guessed latency would be worse than none.
    if (seen !== undefined && done !== undefined && done >= seen)
      this.#deliveryLatency.observe((done - seen) / 1000);
  }

  /** The Prometheus text exposition of this app's metrics plus the process's default metrics. */
  render(): Promise<string> {
    return Registry.merge([this.registry, defaultMetricsRegistry()]).metrics();
  }

  async #countUnfinished(gauge: Gauge<'state'>): Promise<void> {
    gauge.reset();
    if (!this.#source) return;
    try {
      const counts = new Map<string, number>(UNFINISHED_STATES.map((state) => [state, 0]));
      for (const job of await this.#source.listUnfinished())
        counts.set(job.state, (counts.get(job.state) ?? 0) + 1);
      for (const [state, count] of counts) gauge.set({ state }, count);
    } catch (error) {
      // No samples rather than stale ones; /healthz reports the store itself.
      this.#logger.warn({ err: error }, 'could not count unfinished jobs for metrics');
    }
  }
}

/**
 * When the bot first saw the render succeed. follow.ts stops polling a task at the poll that sees
 * 'succeed', so that poll's time is the job's last poll; a long voice note is ready when its last part is.
 */
export function succeededSeenAt(job: Job): number | undefined {
  if (job.parts) {
    const times = job.parts.map((p) => p.lastPollAt).filter((t): t is number => t !== undefined);
    return times.length > 0 ? Math.max(...times) : undefined;
  }
  return job.kling?.lastPollAt;
}

/** Bounded label values: our stable codes, and Kling's numeric code only when it is a plain integer. */
function errorLabels(error: unknown): { code: string; kling_code: string } {
  const code = error instanceof AvatarError ? error.code : 'INTERNAL';
  const klingCode = error instanceof KlingApiError ? error.klingCode : undefined;
  const numeric = klingCode !== undefined && Number.isInteger(klingCode) && klingCode >= 0 && klingCode < 1e6;
  return { code, kling_code: numeric ? String(klingCode) : 'none' };
}
