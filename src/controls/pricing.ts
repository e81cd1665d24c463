// The money side of a job: Kling bills seconds of output, so the estimate is audio seconds times the
// tenant's per-mode rate, and the budget hold is the most seconds the job can still turn out to bill.
import type { Mode } from '../core/types.js';
import type { TenantSettings } from './types.js';

export function estimateUsd(seconds: number, mode: Mode, settings: Pick<TenantSettings, 'prices'>): number {
  return seconds * settings.prices[mode];
}

export function formatUsd(usd: number): string {
  return usd.toFixed(2);
}

/** Seconds rounded up to a tenth, so a hold is never a hair short of the result it pays for. */
export function roundUpSeconds(seconds: number): number {
  return Math.ceil(seconds * 10 - 1e-9) / 10;
}

/**
 * Seconds to hold against the budgets once a job is prepared. A voice note's length is measured, so
 * the output matches it. Spoken text is only measured by the TTS call at submission, and the submit
 * step refuses speech above the audio limit, so the limit is the one bound that is never too small.
 */
export function secondsToHold(audioSeconds: number, fromText: boolean, maxSeconds: number): number {
  return fromText ? Math.max(roundUpSeconds(audioSeconds), maxSeconds) : roundUpSeconds(audioSeconds);
}

/** Why the requester must confirm the price first: above the threshold, or pro when that is on. */
export function needsPriceConfirmation(
  estimate: number,
  mode: Mode,
  settings: Pick<TenantSettings, 'confirmThresholdUsd' | 'confirmPro'>,
): boolean {
  return estimate > settings.confirmThresholdUsd || (mode === 'pro' && settings.confirmPro);
}
