// When and how long to wait before trying a Kling request again. Pure, so tests pin exact delays.
// Backoff follows CometAPI's guide, min(30 s, 1 s·2^n) with jitter; server hints win, capped at 60 s.
import type { KlingApiError } from '../errors.js';

export const RETRY_BASE_DELAY_MS = 1_000;
export const RETRY_MAX_DELAY_MS = 30_000;
export const RETRY_AFTER_CAP_MS = 60_000;
/** Share of the delay that jitter may remove, so concurrent jobs spread out but never wait longer. */
export const RETRY_JITTER_RATIO = 0.25;

type HeaderValue = string | string[] | undefined;

function header(headers: Record<string, HeaderValue>, name: string): string | undefined {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim();
}

/**
 * The server's wait hint: `retry-after-ms`, else `Retry-After` as seconds or an HTTP date.
 * Capped at 60 s so a hostile or confused server cannot park a job; `undefined` when absent or unreadable.
 */
export function parseRetryAfterMs(headers: Record<string, HeaderValue>, nowMs: number): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.min(Math.round(Number(ms)), RETRY_AFTER_CAP_MS);
  const value = header(headers, 'retry-after');
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.min(Math.round(Number(value) * 1000), RETRY_AFTER_CAP_MS);
  // Date.parse accepts bare numbers like "-3" as years; an HTTP date always names its month.
  const date = /[a-z]{3}/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - nowMs), RETRY_AFTER_CAP_MS);
}

/** Capped exponential backoff for retry number `retryIndex` (0 = first retry), minus up to 25% jitter. */
export function backoffDelayMs(retryIndex: number, random: () => number): number {
  const ceiling = Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_DELAY_MS * 2 ** retryIndex);
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(ceiling * (1 - RETRY_JITTER_RATIO * r));
}

/** The wait before the next attempt: the server's hint if it gave one, otherwise backoff. */
export function retryDelayMs(error: KlingApiError, retryIndex: number, random: () => number): number {
  return error.retryAfterMs ?? backoffDelayMs(retryIndex, random);
}

/**
 * Retry only transient failures, and never one that may already have created a task: an ambiguous
 * create must be reconciled by looking the task up, or the user could be charged twice.
 */
export function shouldRetry(error: KlingApiError, retriesDone: number, maxRetries: number): boolean {
  return retriesDone < maxRetries && error.retryable && !error.ambiguous;
}
