// The two small concurrency tools the job engine relies on: a bound on heavy work, and one step at a
// time per job.
import { describe, expect, it } from 'vitest';
import { KeyedMutex } from '../src/util/keyed-mutex.js';
import { Semaphore } from '../src/util/semaphore.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Semaphore', () => {
  it('never runs more than its limit at once and runs every task in arrival order', async () => {
    const gate = new Semaphore(2);
    let active = 0;
    let peak = 0;
    const started: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        gate.run(async () => {
          started.push(i);
          active += 1;
          peak = Math.max(peak, active);
          await tick(5);
          active -= 1;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('frees its slot when a task throws', async () => {
    const gate = new Semaphore(1);
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate.run(async () => 'next')).resolves.toBe('next');
  });

  it('refuses a limit below one', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});

describe('KeyedMutex', () => {
  it('serialises work on one key and lets other keys run alongside', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const job = (key: string, name: string) =>
      mutex.run(key, async () => {
        log.push(`${name}:start`);
        await tick(10);
        log.push(`${name}:end`);
      });
    await Promise.all([job('a', 'a1'), job('a', 'a2'), job('b', 'b1')]);
    expect(log.indexOf('a1:end')).toBeLessThan(log.indexOf('a2:start'));
    expect(log.indexOf('b1:start')).toBeLessThan(log.indexOf('a1:end'));
  });

  it('keeps going after a failed task on the same key', async () => {
    const mutex = new KeyedMutex();
    await expect(mutex.run('k', async () => Promise.reject(new Error('step crashed')))).rejects.toThrow();
    await expect(mutex.run('k', async () => 42)).resolves.toBe(42);
  });
});
