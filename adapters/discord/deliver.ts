// Posts the finished video: in a thread on the status message when the channel allows it, else in
// the channel, else (DMs the bot cannot reach, missing permissions) as an interaction follow-up while
// the token lives. The file is uploaded when it fits, re-encoded when that stays watchable, else linked.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DiscordAPIError, type RawFile } from 'discord.js';
import type { JobUpdate, VideoResult } from '../../src/core/types.js';
import { JobError } from '../../src/errors.js';
import { t } from '../../src/i18n/catalog.js';
import { DEFAULT_UPLOAD_LIMIT, type DiscordAddress, tokenUsable } from './address.js';
import {
  type DiscordApi,
  discordCode,
  type MessageBody,
  restErrorInfo,
  type SentMessage,
} from './discord-api.js';
import type { VideoFitter } from './fit-video.js';
import { resultBody, resultFileName } from './messages.js';

export interface DeliveryDeps {
  api: DiscordApi;
  createMediaLink(jobId: string, filePath: string): Promise<string | undefined>;
  fitVideo: VideoFitter;
  mediaLinkHours: number;
  logger: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export interface Delivered {
  location: string;
  /** What the status message points at: a thread mention or a message link. */
  link: string;
}

type Destination =
  | { kind: 'thread' | 'channel' | 'dm'; channelId: string; limit: number; canAttach: boolean }
  | { kind: 'webhook'; limit: number; canAttach: true };

/** Errors that mean "not allowed here", so the next destination is worth trying. */
const REFUSED_CODES = new Set([10003, 50001, 50013, 160004, 50083]);
const TOO_LARGE = 40005;

function refused(error: unknown): boolean {
  if (!(error instanceof DiscordAPIError)) return false;
  return error.status === 403 || REFUSED_CODES.has(discordCode(error) ?? 0);
}

function messageLink(guildId: string, message: SentMessage): string {
  return `https://discord.com/channels/${guildId || '@me'}/${message.channel_id}/${message.id}`;
}

export async function deliverVideo(
  deps: DeliveryDeps,
  address: DiscordAddress,
  video: VideoResult,
  update: JobUpdate,
): Promise<Delivered> {
  // Bot-token posts get the guild's limit, never the requester's Nitro limit that the interaction reports.
  const botLimit = Math.min(address.uploadLimit, DEFAULT_UPLOAD_LIMIT);
  const visibility = update.visibility ?? 'thread';
  const candidates: Array<() => Promise<Destination>> = [];
  if (visibility === 'dm') {
    // The team asked for private results: a DM or nothing, never a public fallback.
    candidates.push(async () => {
      const channelId = await deps.api.openDm(update.requester.id);
      return { kind: 'dm', channelId, limit: DEFAULT_UPLOAD_LIMIT, canAttach: true };
    });
    return firstThatWorks(deps, address, candidates, video, update);
  }
  if (visibility === 'thread' && address.canThread && address.messageId) {
    candidates.push(async () => {
      const name = t(update.locale, 'discord.thread.name', { user: update.requester.displayName });
      const threadId = await deps.api.startThread(address.channelId, address.messageId, name);
      return { kind: 'thread', channelId: threadId, limit: botLimit, canAttach: address.canAttach };
    });
  }
  if (address.canPost && address.channelId) {
    candidates.push(async () => ({
      kind: 'channel',
      channelId: address.channelId,
      limit: botLimit,
      canAttach: address.canAttach,
    }));
  }
  if (tokenUsable(address))
    candidates.push(async () => ({ kind: 'webhook', limit: address.uploadLimit, canAttach: true }));
  return firstThatWorks(deps, address, candidates, video, update);
}

async function firstThatWorks(
  deps: DeliveryDeps,
  address: DiscordAddress,
  candidates: Array<() => Promise<Destination>>,
  video: VideoResult,
  update: JobUpdate,
): Promise<Delivered> {
  let lastError: unknown = new JobError('DELIVERY_FAILED', 'no destination on Discord can take the video');
  for (const pick of candidates) {
    try {
      const dest = await pick();
      const message = await postTo(deps, address, dest, video, update);
      const link =
        dest.kind === 'thread'
          ? `<#${dest.channelId}>`
          : messageLink(dest.kind === 'dm' ? '' : address.guildId, message);
      return { location: `discord:${message.channel_id}/${message.id}`, link };
    } catch (error) {
      if (!refused(error)) throw error;
      lastError = error;
      deps.logger.warn(
        { jobId: video.jobId, ...restErrorInfo(error) },
        'discord destination refused, trying the next',
      );
    }
  }
  throw lastError;
}

async function postTo(
  deps: DeliveryDeps,
  address: DiscordAddress,
  dest: Destination,
  video: VideoResult,
  update: JobUpdate,
): Promise<SentMessage> {
  const send = (body: MessageBody, files?: RawFile[]) => {
    if (dest.kind === 'webhook') return deps.api.followUp(address.token, body, files);
    // The nonce makes a repeated delivery after a crash return the first message instead of a second one.
    const extra: MessageBody = { nonce: video.jobId.slice(0, 25), enforce_nonce: true };
    if (dest.kind === 'channel' && address.messageId && address.canReply)
      extra.message_reference = { message_id: address.messageId, fail_if_not_exists: false };
    return deps.api.createMessage(dest.channelId, { ...body, ...extra }, files);
  };
  const file = dest.canAttach ? await fittingFile(deps, video, dest.limit) : undefined;
  if (file) {
    try {
      const data = await readFile(file);
      const files: RawFile[] = [{ name: resultFileName(video.jobId), data, contentType: 'video/mp4' }];
      return await send(resultBody(video, update), files);
    } catch (error) {
      // The real limit was lower than the interaction said (boost lost, policy change): link instead.
      if (discordCode(error) !== TOO_LARGE && !(error instanceof DiscordAPIError && error.status === 413))
        throw error;
      deps.logger.warn(
        { jobId: video.jobId, bytes: video.bytes },
        'discord refused the upload size, sending a link',
      );
    }
  }
  const url = await deps.createMediaLink(video.jobId, video.path);
  if (!url) throw new JobError('DELIVERY_FAILED', 'video too large to upload and no PUBLIC_URL for a link');
  return send(resultBody(video, update, { url, hours: deps.mediaLinkHours }));
}

/** The original when it fits, else a re-encoded copy (kept beside it, so a repeated delivery reuses it). */
async function fittingFile(
  deps: DeliveryDeps,
  video: VideoResult,
  limit: number,
): Promise<string | undefined> {
  if (video.bytes <= limit) return video.path;
  const target = path.join(path.dirname(video.path), `discord-fit-${limit}.mp4`);
  const earlier = await stat(target).catch(() => undefined);
  if (earlier && earlier.size <= limit) return target;
  try {
    const fitted = await deps.fitVideo(video.path, target, limit, video.durationSeconds);
    if (fitted)
      deps.logger.info(
        { jobId: video.jobId, from: video.bytes, to: fitted.bytes },
        'video re-encoded to fit',
      );
    return fitted?.path;
  } catch (error) {
    deps.logger.warn({ jobId: video.jobId, err: error }, 'video re-encode failed, sending a link');
    return undefined;
  }
}
