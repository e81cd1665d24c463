// Remembers recently seen delivery keys (trigger ids, view ids, action timestamps) so Slack's retries
// (X-Slack-Retry-Num, Socket Mode retry_attempt) and double clicks are handled once per process.
// Job creation is also idempotent in the core; this stops the side effects before it (modals, posts).

/** Slack retries for about 5 minutes; keys are kept well past that. */
export const DEDUPE_TTL_MS = 30 * 60_000;
const MAX_KEYS = 50_000;

export class RecentKeys {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs = DEDUPE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** True the first time `key` is seen within the TTL; false for a repeat. */
  claim(key: string): boolean {
    const now = this.now();
    const expiresAt = this.seen.get(key);
    if (expiresAt !== undefined && expiresAt > now) return false;
    this.seen.delete(key);
    this.seen.set(key, now + this.ttlMs);
    this.prune(now);
    return true;
  }

  /** Forgets a key, so a delivery that failed before doing anything can be tried again. */
  release(key: string): void {
    this.seen.delete(key);
  }

  private prune(now: number): void {
    // Insertion order equals expiry order (one TTL), so the oldest entries are at the front.
    for (const [key, expiresAt] of this.seen) {
      if (expiresAt > now && this.seen.size <= MAX_KEYS) break;
      this.seen.delete(key);
    }
  }
}
