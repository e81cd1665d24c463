// The job engine's own waiting schedules: poll back-off and step retries.
import { describe, expect, it } from 'vitest';
import { pollDelayMs, retryDelayMs } from '../src/jobs/steps/backoff.js';

describe('pollDelayMs', () => {
  it('grows by half each poll from the first delay up to the cap', () => {
    const delays = Array.from({ length: 8 }, (_, n) => pollDelayMs(n, 10_000, 60_000));
    expect(delays).toEqual([10_000, 15_000, 22_500, 33_750, 50_625, 60_000, 60_000, 60_000]);
  });
});

describe('retryDelayMs', () => {
  it.each([
    [0, 0, 1_600],
    [0, 1, 2_400],
    [2, 0.5, 8_000],
    [10, 0.5, 60_000],
  ])('attempt %i with random %f waits %i ms', (attempt, random, expected) => {
    expect(retryDelayMs(attempt, () => random)).toBe(expected);
  });
});
