// The ChatAdapter the core talks to: job updates become throttled edits of the public status message,
// and the finished video is handed to deliver.ts. Edits use the interaction token while it lives and
// the bot token afterwards.
import type {
  AttachmentRef,
  ChatAdapter,
  DeliveryReceipt,
  JobPhase,
  JobUpdate,
  VideoResult,
} from '../../src/core/types.js';
import type { Logger } from '../../src/logger.js';
import { ADAPTER_NAME, type DiscordAddress, readAddress, tokenUsable } from './address.js';
import { type AttachmentPolicy, discordAttachment } from './attachments.js';
import { type Delivered, type DeliveryDeps, deliverVideo } from './deliver.js';
import { type DiscordApi, isTokenGone, type MessageBody, restErrorInfo, sanitize } from './discord-api.js';
import { statusBody } from './messages.js';
import { StatusThrottle } from './status-throttle.js';

const FINAL_PHASES = new Set<JobPhase>(['delivered', 'failed', 'cancelled']);

/** One edit every few seconds per message keeps well inside Discord's per-route edit limits. */
export const STATUS_INTERVAL_MS = 3_000;

export interface DiscordAdapterOptions {
  api: DiscordApi;
  delivery: DeliveryDeps;
  logger: Logger;
  /** The attachment rules, for fetching a job's inputs again on another instance or after a restart. */
  policy: AttachmentPolicy;
  statusIntervalMs?: number;
}

export class DiscordAdapter implements ChatAdapter {
  readonly name = ADAPTER_NAME;
  private readonly throttle: StatusThrottle;
  private readonly delivered = new Map<string, Delivered>();
  /** Where re-run jobs report, until the core can store a new ReplyTarget for them (see README). */
  private readonly overrides = new Map<string, DiscordAddress>();
  /** Jobs whose interaction token Discord already refused, so later edits skip straight to the bot. */
  private readonly deadTokens = new Set<string>();

  constructor(private readonly options: DiscordAdapterOptions) {
    this.throttle = new StatusThrottle(options.statusIntervalMs ?? STATUS_INTERVAL_MS, (jobId, error) =>
      options.logger.warn({ jobId, ...restErrorInfo(error) }, 'discord status edit failed'),
    );
  }

  reviveAttachment(
    input: Pick<AttachmentRef, 'name' | 'source' | 'contentType' | 'size'>,
    role: 'image' | 'voice',
  ): AttachmentRef | undefined {
    const file = {
      id: '0',
      filename: input.name,
      url: input.source,
      size: input.size ?? 0,
      ...(input.contentType ? { content_type: input.contentType } : {}),
    };
    try {
      // The stored URL goes through the same host and type checks as a fresh one: the store is not
      // a way around the allow-list.
      return discordAttachment(file, role, this.options.policy);
    } catch {
      return undefined;
    }
  }

  /** Points a job's messages somewhere other than its stored ReplyTarget (a re-run's new message). */
  redirect(jobId: string, address: DiscordAddress): void {
    this.overrides.set(jobId, address);
  }

  async update(update: JobUpdate): Promise<void> {
    const address = this.addressOf(update);
    if (!address) return;
    const final = FINAL_PHASES.has(update.phase);
    const body = statusBody(update, this.delivered.get(update.jobId)?.link);
    await this.throttle.push(
      update.jobId,
      JSON.stringify(body),
      () => this.editStatus(update.jobId, address, body),
      final,
    );
    if (final) this.forget(update.jobId);
  }

  async deliver(video: VideoResult, update: JobUpdate): Promise<DeliveryReceipt> {
    const earlier = this.delivered.get(video.jobId);
    if (earlier) return { location: earlier.location };
    const address = this.addressOf(update);
    if (!address) throw new Error('job has no Discord address');
    let done: Delivered;
    try {
      done = await deliverVideo(this.options.delivery, address, video, update);
    } catch (error) {
      throw sanitize(error);
    }
    this.delivered.set(video.jobId, done);
    this.options.logger.info({ jobId: video.jobId, location: done.location }, 'discord video posted');
    return { location: done.location };
  }

  close(): void {
    this.throttle.close();
  }

  private addressOf(update: JobUpdate): DiscordAddress | undefined {
    const address = this.overrides.get(update.jobId) ?? readAddress(update.replyTo);
    if (!address) this.options.logger.warn({ jobId: update.jobId }, 'job has no usable Discord address');
    return address;
  }

  private async editStatus(jobId: string, address: DiscordAddress, body: MessageBody): Promise<void> {
    const { api, logger } = this.options;
    if (tokenUsable(address) && !this.deadTokens.has(jobId)) {
      try {
        await api.editOriginal(address.token, body);
        return;
      } catch (error) {
        if (!isTokenGone(error)) throw error;
        this.deadTokens.add(jobId);
        logger.info(
          { jobId, ...restErrorInfo(error) },
          'interaction token refused, editing with the bot token',
        );
      }
    }
    if (!address.messageId) {
      logger.warn({ jobId }, 'status message unknown after the interaction token expired');
      return;
    }
    await api.editMessage(address.channelId, address.messageId, body);
  }

  private forget(jobId: string): void {
    this.overrides.delete(jobId);
    this.delivered.delete(jobId);
    this.deadTokens.delete(jobId);
  }
}
