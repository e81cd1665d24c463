// A small bounded map whose entries expire: interaction ids already answered (so a redelivered
// interaction is acknowledged only once) and the in-memory side of pending "Make talking avatar" forms.

export class TtlMap<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  set(key: string, value: V): void {
    this.sweep();
    this.entries.delete(key);
    // Map iteration follows insertion order, so the first key is always the oldest entry.
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, at: this.now() });
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry || this.now() - entry.at > this.ttlMs) return undefined;
    return entry.value;
  }

  /** True if the key was already present (and fresh); records it otherwise. */
  seen(key: string, value: V): boolean {
    if (this.get(key) !== undefined) return true;
    this.set(key, value);
    return false;
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [key, entry] of this.entries) {
      if (entry.at >= cutoff) break;
      this.entries.delete(key);
    }
  }
}
