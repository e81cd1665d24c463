// The small key/value surface the Slack adapter keeps its own state in (OAuth installations, status
// message ids of re-runs, delivery markers): by default a namespace of the job store (same keyv
// backend as the jobs); the in-memory version is for tests.

export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>;
  /** `ttlMs` lets markers that only matter for a while expire on their own. */
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
}

interface Entry {
  value: unknown;
  expiresAt: number;
}

export class MemoryKeyValueStore implements KeyValueStore {
  private readonly entries = new Map<string, Entry>();

  async get<T>(key: string): Promise<T | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // A copy, like a real store's JSON round trip, so callers cannot mutate what is stored.
    return structuredClone(entry.value) as T;
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    this.entries.set(key, {
      value: structuredClone(value),
      expiresAt: ttlMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + ttlMs,
    });
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }
}
