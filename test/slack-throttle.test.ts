// The status-message throttle: one edit per interval per message, the newest text wins, nothing runs
// twice at once, and the final state is always sent and never overwritten.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Throttle } from '../adapters/slack/throttle.js';

describe('Throttle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function recorder(sendMs = 0) {
    const sent: Array<{ key: string; value: string; at: number }> = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const throttle = new Throttle<string>(
      async (key, value) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        sent.push({ key, value, at: Date.now() });
        if (sendMs > 0) await new Promise((r) => setTimeout(r, sendMs));
        inFlight -= 1;
      },
      { intervalMs: 1_000, onError: () => undefined },
    );
    return { throttle, sent, maxInFlight: () => maxInFlight };
  }

  it('sends the first update at once and coalesces a burst into one trailing edit', async () => {
    const { throttle, sent } = recorder();
    const start = Date.now();
    throttle.push('m1', 'preparing');
    throttle.push('m1', 'prepared');
    throttle.push('m1', 'submitted');
    throttle.push('m1', 'processing 1');
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map((s) => s.value)).toEqual(['preparing']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent.map((s) => s.value)).toEqual(['preparing', 'processing 1']);
    expect((sent[1]?.at ?? 0) - start).toBe(1_000);
  });

  it('keeps separate messages independent', async () => {
    const { throttle, sent } = recorder();
    throttle.push('m1', 'a');
    throttle.push('m2', 'b');
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map((s) => s.key)).toEqual(['m1', 'm2']);
  });

  it('sends the final state after the interval and ignores later progress', async () => {
    const { throttle, sent } = recorder();
    throttle.push('m1', 'processing');
    throttle.push('m1', 'done', true);
    throttle.push('m1', 'processing again');
    await vi.advanceTimersByTimeAsync(1_000);
    throttle.push('m1', 'late processing');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sent.map((s) => s.value)).toEqual(['processing', 'done']);
  });

  it('never has two edits of one message in flight', async () => {
    const { throttle, sent, maxInFlight } = recorder(2_500);
    throttle.push('m1', 'one');
    await vi.advanceTimersByTimeAsync(100);
    throttle.push('m1', 'two');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sent.map((s) => s.value)).toEqual(['one', 'two']);
    expect(maxInFlight()).toBe(1);
  });

  it('drain sends what is waiting without waiting out the interval', async () => {
    const { throttle, sent } = recorder();
    throttle.push('m1', 'one');
    throttle.push('m1', 'two');
    await vi.advanceTimersByTimeAsync(0);
    await throttle.drain();
    expect(sent.map((s) => s.value)).toEqual(['one', 'two']);
  });

  it('reports a failed send and keeps going', async () => {
    const errors: string[] = [];
    const sent: string[] = [];
    const throttle = new Throttle<string>(
      async (_key, value) => {
        if (value === 'bad') throw new Error('ratelimited');
        sent.push(value);
      },
      { intervalMs: 100, onError: (key) => errors.push(key) },
    );
    throttle.push('m1', 'bad');
    await vi.advanceTimersByTimeAsync(0);
    throttle.push('m1', 'good', true);
    await vi.advanceTimersByTimeAsync(200);
    expect(errors).toEqual(['m1']);
    expect(sent).toEqual(['good']);
  });
});
