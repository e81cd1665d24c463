// Durable job storage through keyv: a SQLite file by default, Redis with STORE_URL=redis://… and no
// code change. Separate namespaces keep lookups cheap: unfinished jobs are listed from their own small
// index instead of scanning every job ever stored.
import type Keyv from 'keyv';
import { StoreUnavailableError } from '../errors.js';
import { KeyedMutex } from '../util/keyed-mutex.js';
import { isTerminal, type Job } from './job.js';
import type { KeyedLock } from './redis-lock.js';

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
  /**
   * Runs `work` holding the lock `name` for everyone sharing this store: every instance on one Redis,
   * or this process for an embedded file. For read-check-write sequences outside the job records.
   */
  lock<T>(name: string, work: () => Promise<T>): Promise<T>;
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
  /** Locks shared with other instances (Redis); without it, locks are per process. */
  lock?: KeyedLock;
  /**
   * Longest one store call may take before it counts as failed. For Redis: a connection that went
   * silent (no reset, no answer) would otherwise keep a user's request waiting indefinitely.
   */
  callTimeoutMs?: number;
}

const RESERVED_NAMESPACES = new Set(['jobs', 'active', 'callbacks', 'media']);

export class KeyvJobStore implements JobStore {
  /** Serialises read-modify-writes of one job: across instances on Redis, in-process otherwise. */
  private readonly mutex: KeyedLock;

  constructor(private readonly ns: StoreNamespaces) {
    this.mutex = ns.lock ?? new KeyedMutex();
  }

  lock<T>(name: string, work: () => Promise<T>): Promise<T> {
    return this.mutex.run(`lock:${name}`, work);
  }

  insert(job: Job): Promise<{ inserted: boolean; job: Job }> {
    return this.mutex.run(`job:${job.id}`, async () => {
      const existing = await this.io('read', () => this.ns.jobs.get(job.id));
      if (existing) return { inserted: false, job: existing };
      await this.io('write', () => this.ns.callbacks.set(job.callbackToken, job.id));
      await this.io('write', () => this.ns.active.set(job.id, job.createdAt));
      await this.io('write', () => this.ns.jobs.set(job.id, job));
      return { inserted: true, job };
    });
  }

  async get(id: string): Promise<Job | undefined> {
    return (await this.io('read', () => this.ns.jobs.get(id))) ?? undefined;
  }

  update(id: string, mutate: (job: Job) => void): Promise<Job> {
    return this.mutex.run(`job:${id}`, async () => {
      const job = await this.io('read', () => this.ns.jobs.get(id));
      if (!job) throw new Error(`job ${id} not found`);
      const before = job.state;
      mutate(job);
      if (before !== job.state && isTerminal({ state: before })) throw new JobEndedError(id, before);
      job.updatedAt = Date.now();
      await this.io('write', () => this.ns.jobs.set(id, job));
      if (isTerminal(job)) await this.io('write', () => this.ns.active.delete(id));
      return job;
    });
  }

  async findByCallbackToken(token: string): Promise<Job | undefined> {
    const id = await this.io('read', () => this.ns.callbacks.get(token));
    return id ? this.get(id) : undefined;
  }

  async listUnfinished(): Promise<Job[]> {
    const iterate = this.ns.active.iterator;
    if (!iterate) throw new Error('the configured store cannot list keys');
    // The unfinished index is small, so one deadline covers the whole scan.
    const ids = await this.io('list', async () => {
      const found: string[] = [];
      for await (const [key] of iterate.call(this.ns.active, undefined)) found.push(String(key));
      return found;
    });
    const jobs = await Promise.all(ids.map((id) => this.get(id)));
    return jobs.filter((job): job is Job => job !== undefined && !isTerminal(job));
  }

  remove(id: string): Promise<void> {
    return this.mutex.run(`job:${id}`, async () => {
      const job = await this.io('read', () => this.ns.jobs.get(id));
      if (job) await this.io('write', () => this.ns.callbacks.delete(job.callbackToken));
      await this.io('write', () => this.ns.active.delete(id));
      await this.io('write', () => this.ns.jobs.delete(id));
    });
  }

  kv(namespace: string): KeyValueNamespace {
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(namespace) || RESERVED_NAMESPACES.has(namespace))
      throw new Error(`invalid key/value namespace "${namespace}"`);
    const keyv = this.ns.open(namespace);
    return {
      get: async <T>(key: string) =>
        ((await this.io('read', () => keyv.get(key))) ?? undefined) as T | undefined,
      set: async (key, value, ttlMs) => {
        await this.io('write', () => keyv.set(key, value, ttlMs));
      },
      delete: async (key) => {
        await this.io('write', () => keyv.delete(key));
      },
    };
  }

  async putMedia(token: string, entry: MediaEntry): Promise<void> {
    await this.io('write', () => this.ns.media.set(token, entry, Math.max(1, entry.expiresAt - Date.now())));
  }

  async getMedia(token: string): Promise<MediaEntry | undefined> {
    const entry = await this.io('read', () => this.ns.media.get(token));
    return entry && entry.expiresAt > Date.now() ? entry : undefined;
  }

  async ping(): Promise<boolean> {
    try {
      await this.io('read', () => this.ns.active.get('__ping__'));
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return this.ns.disconnect();
  }

  /**
   * One call to the backing store. Whatever it throws (connection refused or lost, Redis offline, a
   * timeout, an error reply) becomes STORE_UNAVAILABLE, so every caller, adapters included, shows the
   * catalogue's "storage unavailable" text instead of an internal error; the cause keeps the detail.
   */
  private async io<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const limit = this.ns.callTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      if (!limit) return await call();
      const late = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${limit} ms`)), limit);
      });
      // Promise.race keeps a handler on the call, so a late failure after the deadline is not unhandled.
      return await Promise.race([call(), late]);
    } catch (error) {
      throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError(operation, error);
    } finally {
      clearTimeout(timer);
    }
  }
}
