// The core's front door. Adapters call `submit` with a platform-neutral request and get a job id back
// at once; everything slow (downloads, checks, the Kling task, delivery) runs in the background and
// reports through the adapter's `update` and `deliver`.
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { requireAdmin } from '../controls/access.js';
import { type TeamControls, tenantOf } from '../controls/controls.js';
import { type Actor, JobActions, type JobStatus } from '../controls/job-actions.js';
import { Retention } from '../controls/retention.js';
import type { SettingName } from '../controls/settings.js';
import type { TenantSettings } from '../controls/types.js';
import { type UsageReport, usageReport } from '../controls/usage-report.js';
import { type ErrorCode, type ErrorParams, InputError } from '../errors.js';
import type { Job } from '../jobs/job.js';
import type { JobStore } from '../jobs/job-store.js';
import type { AdapterRegistry } from '../jobs/ports.js';
import type { JobScheduler } from '../jobs/scheduler.js';
import { publishMedia } from '../jobs/steps/publish-media.js';
import type { Logger } from '../logger.js';
import { jobIdFor, randomToken } from '../util/ids.js';
import type { AttachmentRef, AvatarRequest, ChatAdapter, Mode, ReplyTarget, Requester } from './types.js';
import { validateRequest } from './validate-request.js';

export interface SubmitResult {
  jobId: string;
  /** True when this request was already known (a platform retry or a double click). */
  duplicate: boolean;
  job: Job;
}

export class AdapterMap implements AdapterRegistry {
  private readonly adapters = new Map<string, ChatAdapter>();
  add(adapter: ChatAdapter): void {
    this.adapters.set(adapter.name, adapter);
  }
  get(name: string): ChatAdapter | undefined {
    return this.adapters.get(name);
  }
}

/** An admin's change to the tenant's settings (see commands/avatar-settings.ts for the names). */
export type SettingsChange =
  | { action: 'set'; name: string; value: string; user?: string }
  | { action: 'reset'; name: string }
  | { action: 'ban' | 'unban'; user: string };

export class AvatarService {
  private readonly actions: JobActions;
  /** Deletes expired inputs and results, and everything about a user who asks (`forgetUser`). */
  readonly retention: Retention;

  constructor(
    private readonly deps: {
      config: Config;
      store: JobStore;
      runner: JobScheduler;
      adapters: AdapterMap;
      pendingInputs: Map<string, { image: AttachmentRef; voice?: AttachmentRef }>;
      logger: Logger;
      controls: TeamControls;
    },
  ) {
    this.actions = new JobActions({
      store: deps.store,
      controls: deps.controls,
      notifier: { adapters: deps.adapters, logger: deps.logger },
      schedule: (jobId) => deps.runner.schedule(jobId),
      dropInputs: (jobId) => deps.pendingInputs.delete(jobId),
      confirmTtlMs: deps.config.controls.confirmTtlMs,
    });
    this.retention = new Retention({
      store: deps.store,
      controls: deps.controls,
      config: deps.config,
      logger: deps.logger,
      jobsRoot: path.join(deps.config.paths.dataDir, 'jobs'),
      cancel: (jobId, userId) => this.actions.cancel(jobId, userId),
    });
  }

  /** Settings, usage ledger and consent records, for views the service does not wrap. */
  get controls(): TeamControls {
    return this.deps.controls;
  }

  registerAdapter(adapter: ChatAdapter): void {
    this.deps.adapters.add(adapter);
  }

  /**
   * Validates the request's shape, then the team's access rules and budgets (each throws InputError),
   * records the job and starts it.
   */
  async submit(request: AvatarRequest): Promise<SubmitResult> {
    const settings = await this.deps.controls.settings.get(tenantOf(request.requester));
    const { mode, prompt, text } = validateRequest(
      request.mode ? request : { ...request, mode: settings.defaultMode },
      this.deps.config,
    );
    const now = Date.now();
    const jobId = jobIdFor(request.idempotencyKey);
    const job: Job = {
      id: jobId,
      idempotencyKey: request.idempotencyKey,
      state: 'accepted',
      createdAt: now,
      updatedAt: now,
      requester: request.requester,
      replyTo: request.replyTo,
      // The user's language from the platform, else the team's default.
      ...(request.locale || settings.locale ? { locale: request.locale || settings.locale } : {}),
      mode,
      prompt,
      input: {
        image: attachmentMeta(request.image),
        ...(request.voice ? { voice: attachmentMeta(request.voice) } : {}),
        ...(text ? { text } : {}),
      },
      callbackToken: randomToken(),
    };
    const { inserted, job: stored } = await this.admitAndInsert(job, {
      channelId: request.channelId,
      consentGiven: request.consentGiven,
      settings,
    });
    if (!inserted) {
      this.deps.logger.info({ jobId }, 'duplicate request ignored');
      return { jobId, duplicate: true, job: stored };
    }
    this.deps.pendingInputs.set(jobId, {
      image: request.image,
      ...(request.voice ? { voice: request.voice } : {}),
    });
    this.deps.logger.info(
      { jobId, adapter: request.replyTo.adapter, mode, withText: !!text },
      'job accepted',
    );
    this.deps.runner.schedule(jobId);
    return { jobId, duplicate: false, job: stored };
  }

  /**
   * Starts a new job from an earlier job's saved inputs ("Again in pro", "Retry"). Only the original
   * requester may do this; the inputs are reused from disk, never downloaded again.
   */
  async rerun(
    sourceJobId: string,
    options: { idempotencyKey: string; requesterId: string; mode?: Mode; replyTo?: ReplyTarget },
  ): Promise<SubmitResult> {
    const source = await this.deps.store.get(sourceJobId);
    if (!source) throw new InputError('JOB_NOT_FOUND', 'no such job');
    if (source.requester.id !== options.requesterId)
      throw new InputError('JOB_NOT_YOURS', 'not the requester');
    const image = source.input.image;
    const voice = source.input.voice;
    const present = async (p?: string) =>
      p
        ? await access(p).then(
            () => true,
            () => false,
          )
        : false;
    if (!(await present(image.path)) || (voice && !(await present(voice.path))))
      throw new InputError('JOB_INPUTS_GONE', 'inputs deleted');
    const now = Date.now();
    const jobId = jobIdFor(options.idempotencyKey);
    const job: Job = {
      ...structuredClone({
        requester: source.requester,
        // A re-run gets its own status message when the adapter says where; else the source's.
        replyTo: options.replyTo ?? source.replyTo,
        input: source.input,
        prompt: source.prompt,
        ...(source.locale ? { locale: source.locale } : {}),
      }),
      id: jobId,
      idempotencyKey: options.idempotencyKey,
      state: 'accepted',
      createdAt: now,
      updatedAt: now,
      mode: options.mode ?? source.mode,
      callbackToken: randomToken(),
    };
    const { inserted, job: stored } = await this.admitAndInsert(job, {
      channelId: source.controls?.channelId,
      consentGiven: undefined,
    });
    if (inserted) {
      this.deps.logger.info({ jobId, sourceJobId, mode: job.mode }, 'job re-run accepted');
      this.deps.runner.schedule(jobId);
    }
    return { jobId, duplicate: !inserted, job: stored };
  }

  /** Access rules and budgets, then the insert inside the tenant's lock; a known job passes as is. */
  private async admitAndInsert(
    job: Job,
    facts: { channelId: string | undefined; consentGiven: boolean | undefined; settings?: TenantSettings },
  ): Promise<{ inserted: boolean; job: Job }> {
    const existing = await this.deps.store.get(job.id);
    if (existing) return { inserted: false, job: existing };
    let result: { inserted: boolean; job: Job } | undefined;
    await this.deps.controls.admit({
      jobId: job.id,
      requester: job.requester,
      channelId: facts.channelId,
      mode: job.mode,
      consentGiven: facts.consentGiven,
      ...(facts.settings ? { settings: facts.settings } : {}),
      record: async (controls) => {
        result = await this.deps.store.insert({ ...job, controls });
      },
    });
    if (result) return result;
    // A duplicate delivery raced this one; it was recorded inside the same lock.
    const stored = await this.deps.store.get(job.id);
    if (!stored) throw new InputError('JOB_NOT_FOUND', 'duplicate of a job that is gone');
    return { inserted: false, job: stored };
  }

  /** Approves the price of a job in 'awaiting_confirmation' (the requester, or an admin). */
  confirm(jobId: string, by: Actor): Promise<Job> {
    return this.actions.confirm(jobId, by);
  }

  /**
   * Cancels a job that was not submitted yet, at no cost (the requester, or an admin). `reason` is
   * the error shown in the job's last update (JOB_CANCELLED by default).
   */
  cancel(jobId: string, by: Actor, reason?: { code: ErrorCode; params?: ErrorParams }): Promise<Job> {
    return this.actions.cancel(jobId, by, reason);
  }

  /**
   * Records the user's consent for faces. With a job id that job starts (its prompt showed the price);
   * without one, the user's jobs that waited only for consent start.
   */
  giveConsent(jobId: string | undefined, by: Actor): Promise<{ started: string[] }> {
    return this.actions.giveConsent(jobId, by);
  }

  /** The requester said no to the consent question: the job ends at no cost. */
  declineConsent(jobId: string, by: Actor): Promise<Job> {
    return this.actions.cancel(jobId, by, { code: 'CONSENT_DECLINED' });
  }

  /** Where a job stands: state, place among the team's unfinished jobs, elapsed time, cancellable. */
  status(jobId: string, by: Actor): Promise<JobStatus> {
    return this.actions.status(jobId, by);
  }

  /** The language for replies: the platform's locale for the user, else the team's default. */
  async localeFor(requester: Requester, platformLocale?: string): Promise<string | undefined> {
    if (platformLocale) return platformLocale;
    // With the store down the default language still lets the caller explain that outage.
    const settings = await this.deps.controls.settings.get(tenantOf(requester)).catch(() => undefined);
    return settings?.locale || undefined;
  }

  /** The requester's usage and budgets; for admins also the team's, by user, channel and day. */
  usage(requester: Requester): Promise<UsageReport> {
    return usageReport(this.deps.controls, requester);
  }

  /** The tenant's effective settings and which were changed; admins only (ADMIN_ONLY). */
  async viewSettings(
    requester: Requester,
  ): Promise<{ tenantId: string; settings: TenantSettings; changed: Set<SettingName> }> {
    const tenantId = tenantOf(requester);
    const settings = await this.deps.controls.settings.get(tenantId);
    requireAdmin(requester, settings);
    return { tenantId, settings, changed: await this.deps.controls.settings.changed(tenantId) };
  }

  /** Applies an admin's change (ADMIN_ONLY, SETTING_UNKNOWN, SETTING_INVALID) and returns the result. */
  async changeSettings(requester: Requester, change: SettingsChange): Promise<TenantSettings> {
    const store = this.deps.controls.settings;
    const tenantId = tenantOf(requester);
    requireAdmin(requester, await store.get(tenantId));
    const by = requester.id;
    this.deps.logger.info({ tenantId, by, change }, 'settings changed');
    switch (change.action) {
      case 'reset':
        return store.reset(tenantId, change.name, by);
      case 'ban':
      case 'unban':
        return store.setBanned(tenantId, change.user, change.action === 'ban', by);
      default:
        if (change.user) return store.setUserLimit(tenantId, change.user, change.name, change.value, by);
        return store.set(tenantId, change.name, change.value, by);
    }
  }

  /** How many jobs `forgetUser` would delete, for the question before it. */
  forgetPreview(userId: string): Promise<{ jobs: number }> {
    return this.retention.preview(userId);
  }

  /** Deletes everything stored about the user (FORGET_JOBS_RUNNING while a render runs). */
  forgetUser(userId: string): Promise<{ jobs: number; files: number; consent: boolean }> {
    return this.retention.forgetUser(userId);
  }

  /**
   * An expiring, unguessable link to a job's file under PUBLIC_URL/media/…, for results too large to
   * upload to a platform. Undefined when no PUBLIC_URL is configured.
   */
  async createMediaLink(
    jobId: string,
    filePath: string,
    contentType = 'video/mp4',
  ): Promise<string | undefined> {
    const { config, store } = this.deps;
    if (!config.http.publicUrl) return undefined;
    return publishMedia({ config, store }, jobId, filePath, contentType, config.mediaLinkTtlMs);
  }

  getJob(jobId: string): Promise<Job | undefined> {
    return this.deps.store.get(jobId);
  }

  /** A provider callback arrived for `token`. Returns false when the token is unknown. */
  /**
   * A provider callback for the job behind `token` (false: no such job). Only an end state is worth
   * an early poll; 'submitted'/'processing' news changes nothing we would act on, and skipping those
   * saves a quarter of the status queries. The body is untrusted either way: polling decides.
   */
  async handleCallback(token: string, reportedStatus?: string): Promise<boolean> {
    const job = await this.deps.store.findByCallbackToken(token);
    if (!job) return false;
    if (reportedStatus !== 'submitted' && reportedStatus !== 'processing')
      await this.deps.runner.hint(job.id);
    return true;
  }

  resume(): Promise<number> {
    return this.deps.runner.resumeAll();
  }

  /** Resolves when this process has no job waiting or running. */
  idle(): Promise<void> {
    return this.deps.runner.idle();
  }
}

function attachmentMeta(ref: AttachmentRef): Job['input']['image'] {
  return {
    name: ref.name,
    // Kept whole (signed CDN links included) so an adapter can fetch it again after a restart.
    source: ref.source,
    ...(ref.contentType ? { contentType: ref.contentType } : {}),
    ...(ref.size !== undefined ? { size: ref.size } : {}),
  };
}
