// How many parts of one long voice note may render at once. CometAPI publishes no concurrency
// limit, so it starts small (SPLIT_CONCURRENCY) and drops to 1 for the rest of the process as soon
// as the provider says "too many" (HTTP 429, Kling 1302 or 1303), even when the client's own retry
// then succeeded.
import type { KlingApiError } from '../errors.js';
import type { Logger } from '../logger.js';

export class PartsThrottle {
  #limit: number;

  constructor(
    limit: number,
    private readonly logger: Logger,
  ) {
    this.#limit = Math.max(1, Math.floor(limit));
  }

  get limit(): number {
    return this.#limit;
  }

  /** Called for every failed provider request; only "too many" lowers the limit. */
  observe(error: KlingApiError): void {
    // Not every 429 means "too many": Kling's account codes (1100-1102) come as 429 too.
    const tooMany =
      error.code === 'KLING_RATE_LIMITED' || error.klingCode === 1302 || error.klingCode === 1303;
    if (tooMany) this.lower(error.klingCode ?? error.status);
  }

  lower(cause?: number): void {
    if (this.#limit <= 1) return;
    const from = this.#limit;
    this.#limit = 1;
    this.logger.warn({ from, to: 1, cause }, 'parts concurrency lowered after a rate limit');
  }
}
