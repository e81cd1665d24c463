// Durable job storage through keyv: a SQLite file by default, Redis with STORE_URL=redis://… and no
// code change. Separate namespaces keep lookups cheap: unfinished jobs are listed from their own small
// index instead of scanning every job ever stored.
import type Keyv from 'keyv';
import { KeyedMutex } from '../util/keyed-mutex.js';
import { isTerminal, type Job } from './job.js';

/** A file the HTTP server may hand out at /media/<token> until it expires. */
export interface MediaEntry {
  path: string;
  contentType: string;
  jobId: string;
  expiresAt: number;
}

export interface JobStore {
  /** Inserts unless a job with that id exists; returns the stored job either way. */
  insert(job: Job): Promise<{ inserted: boolean; job: Job }>;
  get(id: string): Promise<Job | undefined>;
  /** Read-modify-write of one job, serialised per id. Throws if the job does not exist. */
  update(id: string, mutate: (job: Job) => void): Promise<Job>;
  findByCallbackToken(token: string): Promise<Job | undefined>;
  listUnfinished(): Promise<Job[]>;
  putMedia(token: string, entry: MediaEntry): Promise<void>;
  getMedia(token: string): Promise<MediaEntry | undefined>;
  /** Deletes a job with its callback token and unfinished-index entry (forgetting a user). */
  remove(id: string): Promise<void>;
  /**
   * A small key/value namespace in the same backing store as the jobs (settings, usage, consent,
   * adapter state). Names are lower-case words; the job store's own namespaces are refused.
   */
  kv(namespace: string): KeyValueNamespace;
  /** True when the backing store answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Plain JSON values under string keys; `ttlMs` lets entries expire on their own. */
export interface KeyValueNamespace {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * Thrown by `update` when a mutation would move a job out of a terminal state: a step that raced a
 * cancel must stop instead of resurrecting (and paying for) the cancelled job.
 */
export class JobEndedError extends Error {
  constructor(
    readonly jobId: string,
    readonly state: string,
  ) {
    super(`job ${jobId} already ended (${state})`);
    this.name = 'JobEndedError';
  }
}

export interface StoreNamespaces {
  jobs: Keyv<Job>;
  active: Keyv<number>;
  callbacks: Keyv<string>;
  media: Keyv<MediaEntry>;
  /** Opens (once) an extra namespace on the same backing store. */
  open(namespace: string): Keyv;
  disconnect(): Promise<void>;
}

const RESERVED_NAMESPACES = new Set(['jobs', 'active', 'callbacks', 'media']);

export class KeyvJobStore implements JobStore {
  private readonly mutex = new KeyedMutex();

  constructor(private readonly ns: StoreNamespaces) {}

  insert(job: Job): Promise<{ inserted: boolean; job: Job }> {
    return this.mutex.run(job.id, async () => {
      const existing = await this.ns.jobs.get(job.id);
      if (existing) return { inserted: false, job: existing };
      await this.ns.callbacks.set(job.callbackToken, job.id);
      await this.ns.active.set(job.id, job.createdAt);
      await this.ns.jobs.set(job.id, job);
      return { inserted: true, job };
    });
  }

  async get(id: string): Promise<Job | undefined> {
    return (await this.ns.jobs.get(id)) ?? undefined;
  }

  update(id: string, mutate: (job: Job) => void): Promise<Job> {
    return this.mutex.run(id, async () => {
      const job = await this.ns.jobs.get(id);
      if (!job) throw new Error(`job ${id} not found`);
      const before = job.state;
      mutate(job);
      if (before !== job.state && isTerminal({ state: before })) throw new JobEndedError(id, before);
      job.updatedAt = Date.now();
      await this.ns.jobs.set(id, job);
      if (isTerminal(job)) await this.ns.active.delete(id);
      return job;
    });
  }

  async findByCallbackToken(token: string): Promise<Job | undefined> {
    const id = await this.ns.callbacks.get(token);
    return id ? this.get(id) : undefined;
  }

  async listUnfinished(): Promise<Job[]> {
    const ids: string[] = [];
    const iterate = this.ns.active.iterator;
    if (!iterate) throw new Error('the configured store cannot list keys');
    for await (const [key] of iterate.call(this.ns.active, undefined)) ids.push(String(key));
    const jobs = await Promise.all(ids.map((id) => this.get(id)));
    return jobs.filter((job): job is Job => job !== undefined && !isTerminal(job));
  }

  remove(id: string): Promise<void> {
    return this.mutex.run(id, async () => {
      const job = await this.ns.jobs.get(id);
      if (job) await this.ns.callbacks.delete(job.callbackToken);
      await this.ns.active.delete(id);
      await this.ns.jobs.delete(id);
    });
  }

  kv(namespace: string): KeyValueNamespace {
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(namespace) || RESERVED_NAMESPACES.has(namespace))
      throw new Error(`invalid key/value namespace "${namespace}"`);
    const keyv = this.ns.open(namespace);
    return {
      get: async <T>(key: string) => ((await keyv.get(key)) ?? undefined) as T | undefined,
      set: async (key, value, ttlMs) => {
        await keyv.set(key, value, ttlMs);
      },
      delete: async (key) => {
        await keyv.delete(key);
      },
    };
  }

  async putMedia(token: string, entry: MediaEntry): Promise<void> {
    await this.ns.media.set(token, entry, Math.max(1, entry.expiresAt - Date.now()));
  }

  async getMedia(token: string): Promise<MediaEntry | undefined> {
    const entry = await this.ns.media.get(token);
    return entry && entry.expiresAt > Date.now() ? entry : undefined;
  }

  async ping(): Promise<boolean> {
    try {
      await this.ns.active.get('__ping__');
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return this.ns.disconnect();
  }
}
