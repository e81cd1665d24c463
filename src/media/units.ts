// Number formatting for error parameters, so users never read "lasts 60.0 s; the limit is 60 s".

/** Megabytes (10^6 bytes, as the limits are written), at most two decimals: "5", "5.24". */
export function formatMb(bytes: number): string {
  return String(Math.round(bytes / 10_000) / 100);
}

/**
 * Seconds with one decimal. Measured lengths near a limit round away from it: a 60.02 s note over a
 * 60 s limit shows as "60.1", a 1.98 s note under a 2 s minimum as "1.9".
 */
export function formatSeconds(seconds: number, direction: 'up' | 'down' | 'nearest' = 'nearest'): string {
  const round = { up: Math.ceil, down: Math.floor, nearest: Math.round }[direction];
  const nudge = { up: -1e-9, down: 1e-9, nearest: 0 }[direction];
  return (round(seconds * 10 + nudge) / 10).toFixed(1);
}
