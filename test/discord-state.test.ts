// The adapter's small state helpers: pending "Make talking avatar" forms (local and shared), the TTL
// map behind them, and the queue that holds follow-up work back while a burst is being acknowledged.
import { describe, expect, it } from 'vitest';
import { BackgroundQueue } from '../adapters/discord/background-queue.js';
import { FormStore } from '../adapters/discord/form-store.js';
import { TtlMap } from '../adapters/discord/ttl-map.js';
import type { KeyValueNamespace } from '../src/jobs/job-store.js';

function memoryKv(): KeyValueNamespace & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: async <T>(key: string) => data.get(key) as T | undefined,
    set: async (key, value) => {
      data.set(key, value);
    },
    delete: async (key) => {
      data.delete(key);
    },
  };
}

const quiet = { warn() {} };
const form = { userId: '1100000000000000010' };

describe('FormStore', () => {
  it('lets another instance finish a form through the shared store', async () => {
    const shared = memoryKv();
    new FormStore(shared, quiet).put('123456789012345678', form);
    await new Promise((r) => setImmediate(r));
    const elsewhere = new FormStore(shared, quiet);
    expect(await elsewhere.get('123456789012345678')).toEqual(form);
    expect(await elsewhere.get('999999999999999999')).toBeUndefined();
  });

  it('answers from memory without a shared store, and gives up on a hanging one', async () => {
    const local = new FormStore(undefined, quiet);
    local.put('1', form);
    expect(await local.get('1')).toEqual(form);
    const hanging: KeyValueNamespace = {
      get: () => new Promise(() => {}),
      set: async () => {},
      delete: async () => {},
    };
    const started = Date.now();
    expect(await new FormStore(hanging, quiet).get('1')).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

describe('TtlMap', () => {
  it('forgets entries after their lifetime and keeps at most the newest N', () => {
    let now = 0;
    const map = new TtlMap<number>(1_000, 2, () => now);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([undefined, 2, 3]);
    now = 1_001;
    expect(map.get('b')).toBeUndefined();
    expect(map.seen('d', 4)).toBe(false);
    expect(map.seen('d', 4)).toBe(true);
  });
});

describe('BackgroundQueue', () => {
  it('holds follow-up work back while interactions keep arriving, then runs it in order', async () => {
    const queue = new BackgroundQueue(() => {});
    const started: number[] = [];
    const stream = setInterval(() => queue.noteArrival(), 2);
    queue.noteArrival();
    for (const n of [1, 2, 3]) queue.add(async () => void started.push(n));
    await new Promise((r) => setTimeout(r, 60));
    expect(started).toEqual([]);
    clearInterval(stream);
    await queue.idle();
    expect(started).toEqual([1, 2, 3]);
  });

  it('never holds a task back much longer than a second, however busy it stays', async () => {
    const queue = new BackgroundQueue(() => {});
    const stream = setInterval(() => queue.noteArrival(), 2);
    queue.noteArrival();
    const added = performance.now();
    let startedAfter = Number.NaN;
    queue.add(async () => {
      startedAfter = performance.now() - added;
    });
    await new Promise((r) => setTimeout(r, 1_400));
    clearInterval(stream);
    expect(startedAfter).toBeGreaterThanOrEqual(990);
    expect(startedAfter).toBeLessThan(1_400);
  });
});
