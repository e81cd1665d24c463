// Number formatting for error parameters, so users never read "lasts 60.0 s; the limit is 60 s".

/** Megabytes (10^6 bytes, as the limits are written), at most two decimals: "5", "5.24". */
export function formatMb(bytes: number): string {
  return String(Math.round(bytes / 10_000) / 100);
}

/**
 * Seconds with one decimal, rounded away from the limit that was crossed: a 60.02 s note over a
 * 60 s limit shows as "60.1", a 1.98 s note under a 2 s minimum as "1.9".
 */
export function formatSeconds(seconds: number, direction: 'up' | 'down'): string {
  const tenths = direction === 'up' ? Math.ceil(seconds * 10 - 1e-9) : Math.floor(seconds * 10 + 1e-9);
  return (tenths / 10).toFixed(1);
}
