// Spaces out edits of one status message: at most one edit per interval, latest state wins, and the
// final state is always sent, after any edit still in flight so it cannot be overwritten by an older one.
interface Entry {
  lastSentAt: number;
  lastContent: string | undefined;
  pending: { content: string; send: () => Promise<void> } | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Every send runs after the previous one, so edits land in the order they were decided. */
  chain: Promise<void>;
  touchedAt: number;
}

/** Entries of jobs that never reached a final state (a crash, a lost adapter) are dropped after this. */
const IDLE_ENTRY_MS = 60 * 60_000;

export class StatusThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly minIntervalMs: number,
    private readonly onError: (key: string, error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Queues an edit. Non-final edits return at once (they may be coalesced); a final edit resolves
   * once it has been sent.
   */
  async push(key: string, content: string, send: () => Promise<void>, final: boolean): Promise<void> {
    const entry = this.entry(key);
    entry.touchedAt = this.now();
    if (final) {
      clearTimeout(entry.timer);
      entry.timer = undefined;
      entry.pending = undefined;
      if (content !== entry.lastContent) this.enqueue(key, entry, content, send);
      await entry.chain;
      this.entries.delete(key);
      return;
    }
    if (content === entry.lastContent || content === entry.pending?.content) return;
    const wait = entry.lastSentAt + this.minIntervalMs - this.now();
    if (wait <= 0 && !entry.timer) {
      this.enqueue(key, entry, content, send);
      return;
    }
    entry.pending = { content, send };
    entry.timer ??= setTimeout(() => this.flush(key), Math.max(0, wait));
  }

  /** Number of messages with an edit waiting or in flight (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  close(): void {
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    this.entries.clear();
  }

  private flush(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.timer = undefined;
    const pending = entry.pending;
    entry.pending = undefined;
    if (pending) this.enqueue(key, entry, pending.content, pending.send);
  }

  private enqueue(key: string, entry: Entry, content: string, send: () => Promise<void>): void {
    entry.lastSentAt = this.now();
    entry.lastContent = content;
    entry.chain = entry.chain.then(() => send()).catch((error: unknown) => this.onError(key, error));
  }

  private entry(key: string): Entry {
    let entry = this.entries.get(key);
    if (!entry) {
      this.sweep();
      entry = {
        lastSentAt: 0,
        lastContent: undefined,
        pending: undefined,
        timer: undefined,
        chain: Promise.resolve(),
        touchedAt: this.now(),
      };
      this.entries.set(key, entry);
    }
    return entry;
  }

  private sweep(): void {
    const cutoff = this.now() - IDLE_ENTRY_MS;
    for (const [key, entry] of this.entries) {
      if (entry.touchedAt < cutoff && !entry.timer) this.entries.delete(key);
    }
  }
}
