// Coalescing rate limiter for message edits: at most one send per key (one status message) per
// interval, never two in flight for the same key, the newest value wins, and a final value is always
// sent and then closes the key so a late progress update cannot overwrite "done" or "failed".

export interface ThrottleOptions {
  intervalMs: number;
  onError(key: string, error: unknown): void;
  now?: () => number;
}

interface Slot<T> {
  value?: T;
  pending: boolean;
  final: boolean;
  closed: boolean;
  lastSentAt: number;
  timer?: NodeJS.Timeout;
  sending?: Promise<void>;
}

/** Closed keys are kept this long to swallow stragglers, then forgotten. */
const CLOSED_KEY_TTL_MS = 10 * 60_000;

export class Throttle<T> {
  private readonly slots = new Map<string, Slot<T>>();
  private readonly now: () => number;

  constructor(
    private readonly send: (key: string, value: T) => Promise<void>,
    private readonly options: ThrottleOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  push(key: string, value: T, final = false): void {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { pending: false, final: false, closed: false, lastSentAt: Number.NEGATIVE_INFINITY };
      this.slots.set(key, slot);
    }
    if (slot.closed || (slot.final && !final)) return;
    slot.value = value;
    slot.pending = true;
    slot.final = final;
    this.schedule(key, slot);
  }

  /** Sends everything pending now, ignoring the interval (shutdown), and waits for it. */
  async drain(): Promise<void> {
    for (const [key, slot] of this.slots) {
      if (slot.timer) {
        clearTimeout(slot.timer);
        slot.timer = undefined;
        if (!slot.sending) this.flush(key, slot);
      }
    }
    await Promise.all([...this.slots.values()].map((s) => s.sending));
  }

  private schedule(key: string, slot: Slot<T>): void {
    if (slot.sending || slot.timer) return;
    const wait = slot.lastSentAt + this.options.intervalMs - this.now();
    if (wait <= 0) {
      this.flush(key, slot);
      return;
    }
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      this.flush(key, slot);
    }, wait);
  }

  private flush(key: string, slot: Slot<T>): void {
    if (!slot.pending || slot.value === undefined) return;
    const { value, final } = slot;
    slot.pending = false;
    slot.lastSentAt = this.now();
    slot.sending = this.send(key, value)
      .catch((error: unknown) => this.options.onError(key, error))
      .finally(() => {
        slot.sending = undefined;
        if (final) {
          slot.closed = true;
          setTimeout(() => this.slots.delete(key), CLOSED_KEY_TTL_MS).unref();
        } else if (slot.pending) {
          this.schedule(key, slot);
        }
      });
  }
}
