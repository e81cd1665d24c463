// The core's front door. Adapters call `submit` with a platform-neutral request and get a job id back
// at once; everything slow (downloads, checks, the Kling task, delivery) runs in the background and
// reports through the adapter's `update` and `deliver`.
import { access } from 'node:fs/promises';
import type { Config } from '../config.js';
import { InputError } from '../errors.js';
import type { Job } from '../jobs/job.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { JobStore } from '../jobs/job-store.js';
import type { AdapterRegistry } from '../jobs/ports.js';
import { publishMedia } from '../jobs/steps/publish-media.js';
import type { Logger } from '../logger.js';
import { jobIdFor, randomToken } from '../util/ids.js';
import type { AttachmentRef, AvatarRequest, ChatAdapter, Mode } from './types.js';
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

export class AvatarService {
  constructor(
    private readonly deps: {
      config: Config;
      store: JobStore;
      runner: JobRunner;
      adapters: AdapterMap;
      pendingInputs: Map<string, { image: AttachmentRef; voice?: AttachmentRef }>;
      logger: Logger;
    },
  ) {}

  registerAdapter(adapter: ChatAdapter): void {
    this.deps.adapters.add(adapter);
  }

  /** Validates the request's shape (throws InputError), records the job and starts it. */
  async submit(request: AvatarRequest): Promise<SubmitResult> {
    const { mode, prompt, text } = validateRequest(request, this.deps.config);
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
      ...(request.locale ? { locale: request.locale } : {}),
      mode,
      prompt,
      input: {
        image: attachmentMeta(request.image),
        ...(request.voice ? { voice: attachmentMeta(request.voice) } : {}),
        ...(text ? { text } : {}),
      },
      callbackToken: randomToken(),
    };
    const { inserted, job: stored } = await this.deps.store.insert(job);
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
    options: { idempotencyKey: string; requesterId: string; mode?: Mode },
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
        replyTo: source.replyTo,
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
    const { inserted, job: stored } = await this.deps.store.insert(job);
    if (inserted) {
      this.deps.logger.info({ jobId, sourceJobId, mode: job.mode }, 'job re-run accepted');
      this.deps.runner.schedule(jobId);
    }
    return { jobId, duplicate: !inserted, job: stored };
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
  async handleCallback(token: string): Promise<boolean> {
    const job = await this.deps.store.findByCallbackToken(token);
    if (!job) return false;
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
