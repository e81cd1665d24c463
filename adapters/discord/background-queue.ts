// Starts the slow follow-up work of interactions (status message, submit) one piece per event-loop
// turn, and holds it back while interactions are still pouring in: during a burst the loop's time goes
// to acknowledging within Discord's 3 seconds first, and the follow-ups start once it quietens.

/** A gap this long between interactions counts as "quiet". */
const QUIET_MS = 50;
/** Follow-up work never waits longer than this, however busy it gets (the user sees "thinking…"). */
const MAX_WAIT_MS = 1_000;

export class BackgroundQueue {
  private readonly waiting: Array<{ start: () => void; since: number }> = [];
  private readonly running = new Set<Promise<void>>();
  private draining = false;
  private lastArrival = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly onError: (error: unknown) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Called for every incoming interaction, before it is answered. */
  noteArrival(): void {
    this.lastArrival = this.now();
  }

  add(work: () => Promise<void>): void {
    const task = new Promise<void>((start) => this.waiting.push({ start, since: this.now() }))
      .then(work)
      .catch((error: unknown) => this.onError(error));
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
    if (!this.draining) {
      this.draining = true;
      setImmediate(() => this.drain());
    }
  }

  /** Resolves when every task added so far (and any they added) has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private drain(): void {
    const head = this.waiting[0];
    if (!head) {
      this.draining = false;
      return;
    }
    const now = this.now();
    const quietFor = now - this.lastArrival;
    if (quietFor < QUIET_MS && now - head.since < MAX_WAIT_MS) {
      setTimeout(() => this.drain(), Math.max(1, QUIET_MS - quietFor));
      return;
    }
    this.waiting.shift()?.start();
    // An immediate queued from inside an immediate runs on the next turn, after the poll phase has
    // taken in whatever requests arrived meanwhile.
    setImmediate(() => this.drain());
  }
}
