// Locks shared by every instance on one Redis, for the read-check-write sequences that must not
// interleave across instances: one job record's update, a duplicate platform delivery racing the
// original, and a team's budget check-and-reserve. redis-semaphore's Mutex is the lock (SET NX with
// expiry, refreshed while held, released by a compare-and-delete script); a local keyed mutex in
// front of it keeps callers in the same process from all polling Redis for the same key.

import { Redis } from 'ioredis';
import { Mutex } from 'redis-semaphore';
import { StoreUnavailableError } from '../errors.js';
import { KeyedMutex } from '../util/keyed-mutex.js';

export interface KeyedLock {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
  close?(): Promise<void>;
}

/**
 * A held lock expires after this long without a refresh (the holder died, or Redis restarted while
 * it was held). The work under these locks takes milliseconds; the holder refreshes at 80 %.
 */
const LOCK_TTL_MS = 3_000;
/** How long a caller waits for a busy lock before the request fails (fail fast, never hang). */
const ACQUIRE_TIMEOUT_MS = 2_500;

export class RedisKeyedLock implements KeyedLock {
  private readonly local = new KeyedMutex();

  private constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly onLost: (key: string, err: Error) => void,
  ) {}

  static async open(
    url: string,
    prefix: string,
    onLost: (key: string, err: Error) => void,
  ): Promise<RedisKeyedLock> {
    const client = new Redis(url, {
      connectTimeout: 2_000,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      lazyConnect: true,
    });
    // Connection trouble shows up as failed acquisitions; the store reports the outage itself.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      throw new StoreUnavailableError('lock connect', error);
    }
    return new RedisKeyedLock(client, prefix, onLost);
  }

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.local.run(key, async () => {
      const mutex = new Mutex(this.client, `${this.prefix}:${key}`, {
        lockTimeout: LOCK_TTL_MS,
        acquireTimeout: ACQUIRE_TIMEOUT_MS,
        retryInterval: 5,
        onLockLost: (err) => this.onLost(key, err),
      });
      try {
        await mutex.acquire();
      } catch (error) {
        // Redis down, or the lock held past the wait: the caller gets the store's clear error.
        throw new StoreUnavailableError('lock', error);
      }
      try {
        return await work();
      } finally {
        await mutex.release().catch(() => undefined);
      }
    });
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
