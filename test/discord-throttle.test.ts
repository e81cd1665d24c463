// Status-message edit throttling: one edit per interval per message, latest state wins, the final state
// always goes out and lands after anything older.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StatusThrottle } from '../adapters/discord/status-throttle.js';

const INTERVAL = 3_000;

describe('StatusThrottle', () => {
  let sent: Array<{ key: string; content: string; at: number }>;
  let errors: unknown[];
  let throttle: StatusThrottle;
  const push = (key: string, content: string, final = false) =>
    throttle.push(
      key,
      content,
      async () => {
        sent.push({ key, content, at: Date.now() });
      },
      final,
    );

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    sent = [];
    errors = [];
    throttle = new StatusThrottle(INTERVAL, (_key, error) => errors.push(error));
  });
  afterEach(() => {
    throttle.close();
    vi.useRealTimers();
  });

  it('sends the first edit at once and coalesces a burst into one edit with the latest state', async () => {
    await push('job', 'accepted');
    await vi.advanceTimersByTimeAsync(0);
    await push('job', 'processing 1 s');
    await push('job', 'processing 2 s');
    await push('job', 'processing 3 s');
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(sent.map((s) => s.content)).toEqual(['accepted', 'processing 3 s']);
    expect((sent[1]?.at ?? 0) - (sent[0]?.at ?? 0)).toBe(INTERVAL);
  });

  it('never edits one message twice within the interval, however many updates arrive', async () => {
    for (let second = 0; second < 30; second++) {
      await push('job', `processing ${second} s`);
      await vi.advanceTimersByTimeAsync(1_000);
    }
    const gaps = sent.slice(1).map((s, i) => s.at - (sent[i]?.at ?? 0));
    expect(sent.length).toBeLessThanOrEqual(11);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(INTERVAL);
  });

  it('sends the final state immediately, drops the pending one, and keeps the order', async () => {
    await push('job', 'processing 1 s');
    await push('job', 'processing 2 s');
    await push('job', 'Done', true);
    await vi.advanceTimersByTimeAsync(INTERVAL * 2);
    expect(sent.map((s) => s.content)).toEqual(['processing 1 s', 'Done']);
    expect(throttle.size).toBe(0);
  });

  it('skips an edit that would not change the message', async () => {
    await push('job', 'processing');
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await push('job', 'processing');
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(sent).toHaveLength(1);
  });

  it('throttles each message on its own', async () => {
    await push('a', 'one');
    await push('b', 'one');
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map((s) => s.key)).toEqual(['a', 'b']);
  });

  it('reports a failed edit and carries on with the next one', async () => {
    await throttle.push('job', 'boom', () => Promise.reject(new Error('429')), false);
    await push('job', 'Done', true);
    expect(errors).toHaveLength(1);
    expect(sent.map((s) => s.content)).toEqual(['Done']);
  });
});
