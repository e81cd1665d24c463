// The team controls as one object the core calls at three points of a job's life: admission (access
// and budgets, before the job exists), the gate after preparation (estimate, seconds hold, consent and
// price confirmation), and the end (settle or release the hold).
import type { Config } from '../config.js';
import type { Mode, Requester } from '../core/types.js';
import { isTerminal, type Job } from '../jobs/job.js';
import type { JobStore } from '../jobs/job-store.js';
import type { Logger } from '../logger.js';
import { checkAccess } from './access.js';
import { ConsentRecords } from './consent.js';
import { Budgets } from './limits.js';
import { estimateUsd, needsPriceConfirmation, secondsToHold } from './pricing.js';
import { SettingsStore } from './settings.js';
import type { ConfirmReason, JobControls, TenantSettings } from './types.js';
import { monthOf, type Outcome, UsageLedger } from './usage.js';

/** Requests with no server or workspace (direct messages) share this tenant. */
export const DIRECT_TENANT = 'direct';

export function tenantOf(requester: Pick<Requester, 'tenantId'>): string {
  return requester.tenantId ?? DIRECT_TENANT;
}

export interface GateDecision {
  state: 'prepared' | 'awaiting_confirmation';
  estimatedCost: number;
  controls: JobControls | undefined;
}

/** A hold whose job never appeared (a crash between admission and insert) is dropped after this. */
const ORPHAN_HOLD_MS = 10 * 60_000;

export class TeamControls {
  readonly settings: SettingsStore;
  readonly ledger: UsageLedger;
  readonly budgets: Budgets;
  readonly consent: ConsentRecords;
  private readonly now: () => number;

  constructor(
    private readonly deps: { store: JobStore; config: Config; logger: Logger; now?: () => number },
  ) {
    this.now = deps.now ?? Date.now;
    this.settings = new SettingsStore(deps.store.kv('settings'), deps.config);
    this.ledger = new UsageLedger(deps.store.kv('usage'), (name, work) => deps.store.lock(name, work));
    this.budgets = new Budgets(this.ledger, this.now);
    this.consent = new ConsentRecords(deps.store.kv('consent'));
  }

  /**
   * Access rules and budgets for a new job, then `record` (the store insert) inside the tenant's lock.
   * Throws the InputError to show; `duplicate` when the job already existed (a platform retry).
   */
  async admit(input: {
    jobId: string;
    requester: Requester;
    channelId: string | undefined;
    mode: Mode;
    consentGiven: boolean | undefined;
    settings?: TenantSettings;
    record(controls: JobControls): Promise<void>;
  }): Promise<'admitted' | 'duplicate'> {
    const { jobId, requester, channelId, mode } = input;
    const tenantId = tenantOf(requester);
    const settings = input.settings ?? (await this.settings.get(tenantId));
    checkAccess(requester, channelId, mode, settings);
    const now = this.now();
    const controls: JobControls = {
      tenantId,
      ...(channelId ? { channelId } : {}),
      month: monthOf(now),
      visibility: settings.visibility,
      ...(input.consentGiven ? { consent: { at: now, via: 'request' as const } } : {}),
    };
    const admitted = await this.budgets.admit({
      tenantId,
      jobId,
      userId: requester.id,
      displayName: requester.displayName,
      ...(channelId ? { channelId } : {}),
      mode,
      settings,
      minSeconds: this.deps.config.audio.minSeconds,
      exists: async (id) => (await this.deps.store.get(id)) !== undefined,
      commit: () => input.record(controls),
      now,
    });
    if (admitted === 'duplicate') return 'duplicate';
    if (input.consentGiven) await this.consent.record(requester.id, { at: now, jobId, via: 'request' });
    return 'admitted';
  }

  /**
   * After preparation: the estimate at the tenant's price, the seconds hold (InputError when a
   * monthly budget would break), and whether the requester must confirm or consent first.
   */
  async gate(job: Job, audioSeconds: number): Promise<GateDecision> {
    const { config } = this.deps;
    if (!job.controls)
      return {
        state: 'prepared',
        estimatedCost: audioSeconds * config.prices[job.mode],
        controls: undefined,
      };
    const c = job.controls;
    const settings = await this.settings.get(c.tenantId);
    const estimatedCost = estimateUsd(audioSeconds, job.mode, settings);
    const hold = secondsToHold(audioSeconds, !job.input.voice, config.audio.maxSeconds);
    await this.budgets.hold(c.tenantId, job.id, hold, settings);
    const now = this.now();
    let consent = c.consent;
    if (!consent && !config.controls.consentRequired) consent = { at: now, via: 'not-required' };
    if (!consent && (await this.consent.get(job.requester.id))) consent = { at: now, via: 'record' };
    const reasons: ConfirmReason[] = [];
    if (!consent) reasons.push('consent');
    if (needsPriceConfirmation(estimatedCost, job.mode, settings)) reasons.push('price');
    const controls: JobControls = {
      ...c,
      pricePerSecond: settings.prices[job.mode],
      ...(consent ? { consent } : {}),
    };
    if (reasons.length === 0) return { state: 'prepared', estimatedCost, controls };
    controls.awaiting = {
      reasons,
      actions: reasons.includes('consent') ? ['consent', 'cancel'] : ['confirm', 'cancel'],
      expiresAt: now + config.controls.confirmTtlMs,
    };
    return { state: 'awaiting_confirmation', estimatedCost, controls };
  }

  /**
   * A job ended: a delivered one is booked at its result's length, a failed one that may have been
   * billed at its estimate, anything else gives its hold back. Idempotent; also run by the sweeper.
   */
  async jobEnded(job: Job): Promise<void> {
    const c = job.controls;
    if (!c || !isTerminal(job) || c.spend) return;
    const rate = c.pricePerSecond ?? this.deps.config.prices[job.mode];
    const estimateSeconds = job.prepared?.audioSeconds ?? 0;
    let outcome: Outcome = { kind: 'release' };
    let basis: 'result' | 'estimate' | 'none' = 'none';
    if (job.state === 'delivered') {
      const seconds = job.result?.durationSeconds ?? estimateSeconds;
      outcome = { kind: 'settle', seconds, usd: seconds * rate };
      basis = 'result';
    } else if (job.state === 'failed' && job.error?.charged) {
      outcome = { kind: 'settle', seconds: estimateSeconds, usd: estimateSeconds * rate };
      basis = 'estimate';
    }
    await this.budgets.end(c.tenantId, job.id, outcome);
    const now = this.now();
    const spend =
      outcome.kind === 'settle'
        ? { seconds: outcome.seconds, usd: outcome.usd, basis, at: now }
        : { seconds: 0, usd: 0, basis, at: now };
    await this.deps.store.update(job.id, (j) => {
      if (!j.controls) return;
      j.controls.endedAt ??= now;
      j.controls.spend ??= spend;
      delete j.controls.awaiting;
    });
  }

  /** Ends holds whose job already ended or never appeared (a crash at the wrong moment). */
  async reconcile(): Promise<number> {
    let fixed = 0;
    for (const tenantId of await this.ledger.tenants()) {
      for (const [jobId, hold] of Object.entries(await this.ledger.active(tenantId))) {
        const job = await this.deps.store.get(jobId);
        if (job && isTerminal(job)) {
          if (job.controls && !job.controls.spend) await this.jobEnded(job);
          else await this.budgets.end(tenantId, jobId, { kind: 'release' });
        } else if (!job && this.now() - hold.createdAt > ORPHAN_HOLD_MS)
          await this.budgets.end(tenantId, jobId, { kind: 'release' });
        else continue;
        fixed += 1;
      }
    }
    if (fixed > 0) this.deps.logger.info({ fixed }, 'budget holds reconciled');
    return fixed;
  }
}
