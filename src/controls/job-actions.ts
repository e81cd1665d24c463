// What a requester (or an admin of the same tenant) can do to a job before it is submitted: confirm
// the price, consent for the face, cancel, or ask where it stands. Every change is one per-job store
// update that checks the state inside, so a click racing the runner or the expiry has one outcome.
import type { Requester } from '../core/types.js';
import { type ErrorCode, type ErrorParams, InputError } from '../errors.js';
import { describeError, t } from '../i18n/catalog.js';
import { isTerminal, type Job, SUBMITTED_STATES } from '../jobs/job.js';
import type { JobStore } from '../jobs/job-store.js';
import { notify } from '../jobs/notifier.js';
import type { RunnerContext } from '../jobs/ports.js';
import { isAdmin } from './access.js';
import type { TeamControls } from './controls.js';

/** Who acts: a bare user id, or the requester facts an adapter has (admin rights need them). */
export type Actor = string | (Pick<Requester, 'id'> & Partial<Requester>);

export interface JobStatus {
  jobId: string;
  state: Job['state'];
  mode: Job['mode'];
  elapsedMs: number;
  /** 1-based place among the tenant's unfinished jobs, oldest first; absent once finished. */
  position?: number;
  total?: number;
  estimatedCost?: number;
  /** True while nothing was sent to the provider, so `cancel` still works. */
  cancellable: boolean;
  awaiting?: NonNullable<Job['controls']>['awaiting'];
  spend?: NonNullable<Job['controls']>['spend'];
}

export interface JobActionDeps {
  store: JobStore;
  controls: TeamControls;
  notifier: Pick<RunnerContext, 'adapters' | 'logger'>;
  /** Asks the runner to look at the job now (it then submits, or drops its timers). */
  schedule(jobId: string): void;
  /** Forgets in-memory input handles of a job that will never be prepared. */
  dropInputs(jobId: string): void;
  /** CONFIRM_TTL_MINUTES, for the message about an answer that came too late. */
  confirmTtlMs: number;
}

const actorOf = (actor: Actor) => (typeof actor === 'string' ? { id: actor } : actor);

export class JobActions {
  private readonly ttlMinutes: number;

  constructor(private readonly deps: JobActionDeps) {
    this.ttlMinutes = Math.max(1, Math.round(deps.confirmTtlMs / 60_000));
  }

  /** Approves the price of a job waiting for it; the runner submits it at once. */
  async confirm(jobId: string, actor: Actor): Promise<Job> {
    const by = (await this.authorise(jobId, actor)).by;
    const job = await this.deps.store.update(jobId, (j) => {
      assertWaiting(j, this.ttlMinutes);
      if (j.controls?.awaiting?.reasons.includes('consent'))
        throw new InputError('CONSENT_NEEDED', 'consent first');
      approve(j, by);
    });
    return this.started(job);
  }

  /**
   * Records the user's consent (they are the person shown or have that person's consent). With a job
   * id, that job's prompt also showed the price, so it starts; without one, the user's jobs that
   * waited only for consent start and the others keep waiting for a price confirmation.
   */
  async giveConsent(jobId: string | undefined, actor: Actor): Promise<{ started: string[] }> {
    const userId = actorOf(actor).id;
    const ids = jobId ? [jobId] : await this.waitingJobsOf(userId);
    if (jobId) {
      const job = await this.deps.store.get(jobId);
      if (!job) throw new InputError('JOB_NOT_FOUND', 'no such job');
      // Consent is personal: an admin cannot give it for someone else.
      if (job.requester.id !== userId) throw new InputError('JOB_NOT_YOURS', 'not the requester');
      assertWaiting(job, this.ttlMinutes);
    }
    const now = Date.now();
    await this.deps.controls.consent.record(userId, { at: now, via: 'prompt', ...(jobId ? { jobId } : {}) });
    const started: string[] = [];
    for (const id of ids) {
      const job = await this.deps.store
        .update(id, (j) => {
          const awaiting = j.controls?.awaiting;
          if (j.state !== 'awaiting_confirmation' || !j.controls || !awaiting || expired(j)) throw new Skip();
          j.controls.consent = { at: now, via: 'prompt' };
          const rest = awaiting.reasons.filter((r) => r !== 'consent');
          if (jobId || rest.length === 0) approve(j, userId);
          else j.controls.awaiting = { ...awaiting, reasons: rest, actions: ['confirm', 'cancel'] };
        })
        .catch((error: unknown) => {
          if (error instanceof Skip) return undefined;
          throw error;
        });
      if (!job) continue;
      if (job.state === 'prepared') {
        await this.started(job);
        started.push(id);
      } else await notify(this.deps.notifier, job, job.state);
    }
    return { started };
  }

  /** Ends a job that was not submitted yet, at no cost. */
  async cancel(
    jobId: string,
    actor: Actor,
    reason?: { code: ErrorCode; params?: ErrorParams },
  ): Promise<Job> {
    const { job: before } = await this.authorise(jobId, actor);
    const who = actorOf(actor).displayName ?? before.requester.displayName;
    const error = new InputError(reason?.code ?? 'JOB_CANCELLED', 'cancelled', {
      params: reason?.params ?? { user: who },
    });
    const job = await this.deps.store.update(jobId, (j) => {
      if (isTerminal(j))
        throw new InputError('JOB_ALREADY_ENDED', 'ended', { params: { state: stateName(j) } });
      if (SUBMITTED_STATES.has(j.state)) throw new InputError('JOB_ALREADY_SUBMITTED', 'submitted');
      j.state = 'cancelled';
      j.error = { code: error.code, message: describeError(j.locale, error), charged: false };
      if (j.controls) delete j.controls.awaiting;
    });
    this.deps.dropInputs(jobId);
    await this.deps.controls.jobEnded(job);
    this.deps.notifier.logger.info({ jobId, code: error.code }, 'job cancelled before submission');
    await notify(this.deps.notifier, job, 'cancelled');
    this.deps.schedule(jobId);
    return job;
  }

  async status(jobId: string, actor: Actor): Promise<JobStatus> {
    const { job } = await this.authorise(jobId, actor);
    const c = job.controls;
    const now = Date.now();
    const status: JobStatus = {
      jobId,
      state: job.state,
      mode: job.mode,
      elapsedMs: (c?.endedAt ?? (isTerminal(job) ? job.updatedAt : now)) - job.createdAt,
      cancellable: !isTerminal(job) && !SUBMITTED_STATES.has(job.state),
      ...(job.estimatedCost !== undefined ? { estimatedCost: job.estimatedCost } : {}),
      ...(c?.awaiting ? { awaiting: c.awaiting } : {}),
      ...(c?.spend ? { spend: c.spend } : {}),
    };
    if (c && !isTerminal(job)) {
      const order = Object.entries(await this.deps.controls.ledger.active(c.tenantId))
        .sort(([a, x], [b, y]) => x.createdAt - y.createdAt || a.localeCompare(b))
        .map(([id]) => id);
      const index = order.indexOf(jobId);
      if (index >= 0) Object.assign(status, { position: index + 1, total: order.length });
    }
    return status;
  }

  /** The requester, or an admin of the job's tenant; anyone else gets JOB_NOT_YOURS. */
  private async authorise(jobId: string, actor: Actor): Promise<{ job: Job; by: string }> {
    const job = await this.deps.store.get(jobId);
    if (!job) throw new InputError('JOB_NOT_FOUND', 'no such job');
    const a = actorOf(actor);
    if (job.requester.id === a.id) return { job, by: a.id };
    const tenantId = job.controls?.tenantId;
    if (tenantId && a.tenantId === tenantId && isAdmin(a, await this.deps.controls.settings.get(tenantId)))
      return { job, by: a.id };
    throw new InputError('JOB_NOT_YOURS', 'not the requester');
  }

  private async waitingJobsOf(userId: string): Promise<string[]> {
    const ids = await this.deps.controls.ledger.userJobs(userId);
    const jobs = await Promise.all(ids.slice(-50).map((id) => this.deps.store.get(id)));
    return jobs.filter((j) => j?.state === 'awaiting_confirmation').map((j) => (j as Job).id);
  }

  private async started(job: Job): Promise<Job> {
    this.deps.notifier.logger.info({ jobId: job.id, by: job.controls?.confirmed?.by }, 'job confirmed');
    await notify(this.deps.notifier, job, 'prepared');
    this.deps.schedule(job.id);
    return job;
  }
}

class Skip extends Error {}

function approve(j: Job, by: string): void {
  j.state = 'prepared';
  if (!j.controls) return;
  delete j.controls.awaiting;
  j.controls.confirmed = { at: Date.now(), by };
}

function assertWaiting(j: Job, ttlMinutes: number): void {
  if (j.state !== 'awaiting_confirmation')
    throw new InputError(isTerminal(j) ? 'JOB_ALREADY_ENDED' : 'JOB_NOT_WAITING', 'not waiting', {
      params: { state: stateName(j) },
    });
  // Past the deadline the answer is too late even if the expiry has not run yet (a restart, a busy loop).
  if (expired(j)) throw new InputError('CONFIRM_EXPIRED', 'too late', { params: { minutes: ttlMinutes } });
}

function expired(j: Job): boolean {
  const expiresAt = j.controls?.awaiting?.expiresAt;
  return expiresAt !== undefined && Date.now() >= expiresAt;
}

/** The job's state in words, in the job's language. */
export function stateName(j: Pick<Job, 'state' | 'locale'>): string {
  return t(j.locale, `state.${j.state}`);
}
