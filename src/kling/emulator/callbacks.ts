// Webhook delivery: POSTs the flat task object to callback_url on every status change. Deliveries for
// one task are chained so they arrive in status order even when delayed; a failing target only counts
// as a failed callback and never affects the task or the emulator.
import type { Logger } from '../../logger.js';
import type { Faults } from './faults.js';
import type { Scheduler } from './scheduler.js';
import type { EmulatorStats } from './types.js';

/** Neither Kling nor CometAPI documents a callback timeout; 10 s keeps a dead target from piling up. */
const CALLBACK_TIMEOUT_MS = 10_000;

export class CallbackSender {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly faults: Faults,
    private readonly stats: EmulatorStats,
    private readonly scheduler: Scheduler,
    private readonly closeSignal: AbortSignal,
    private readonly logger: Logger,
  ) {}

  /**
   * Queues one status update. The payload is snapshotted now, and the fault settings (delay,
   * duplicates) are read now, so later changes do not rewrite updates already in flight.
   * The returned promise resolves once this update was attempted; it never rejects.
   */
  notify(url: string | undefined, taskId: string, payload: object): Promise<void> {
    if (!url || this.scheduler.isClosed) return Promise.resolve();
    const body = JSON.stringify(payload);
    const { callbackDelayMs, duplicateCallbacks } = this.faults.settings;
    const previous = this.chains.get(taskId) ?? Promise.resolve();
    const next = previous.then(async () => {
      if (!(await this.scheduler.sleep(callbackDelayMs))) return;
      await this.deliver(url, taskId, body);
      if (duplicateCallbacks) await this.deliver(url, taskId, body);
    });
    this.chains.set(taskId, next);
    void next.then(() => {
      if (this.chains.get(taskId) === next) this.chains.delete(taskId);
    });
    return next;
  }

  private async deliver(url: string, taskId: string, body: string): Promise<void> {
    if (this.scheduler.isClosed) return;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'User-Agent': 'kling-emulator-callback' },
        body,
        redirect: 'manual',
        signal: AbortSignal.any([this.closeSignal, AbortSignal.timeout(CALLBACK_TIMEOUT_MS)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) {
        this.stats.callbacksSent += 1;
        return;
      }
      this.stats.callbacksFailed += 1;
      this.logger.warn({ taskId, status: response.status }, 'callback target answered with an error');
    } catch (error) {
      if (this.closeSignal.aborted) return;
      this.stats.callbacksFailed += 1;
      this.logger.warn({ taskId, err: error }, 'callback delivery failed');
    }
  }
}
