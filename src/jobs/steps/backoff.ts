// Delay schedules for the job engine's own waiting (not HTTP retries, which live in the Kling client).

/** Poll n (0-based) waits first × 1.5^n, capped: about 10, 15, 22, 34, 50, 60, 60… seconds by default. */
export function pollDelayMs(polls: number, firstMs: number, maxMs: number): number {
  return Math.min(maxMs, Math.round(firstMs * 1.5 ** Math.max(0, polls)));
}

/** Retry n (0-based) of a failed step: 2, 4, 8… seconds, capped at one minute, with ±20% jitter. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(60_000, 2_000 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.8 + random() * 0.4));
}
