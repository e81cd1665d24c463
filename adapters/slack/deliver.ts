// Posts the finished video in the status message's thread, mentioning the requester: Slack's external
// upload flow (the three calls files.uploadV2 makes, done one by one so the file id is recorded before
// the share), or a PUBLIC_URL/media link when the file is too large for the workspace.
import { createReadStream } from 'node:fs';
import { request } from 'undici';
import type { DeliveryReceipt, JobUpdate, VideoResult } from '../../src/core/types.js';
import { JobError } from '../../src/errors.js';
import { t } from '../../src/i18n/catalog.js';
import type { Logger } from '../../src/logger.js';
import { fromReplyTarget, mention, type SlackAddress } from './address.js';
import { type SlackClients, slackErrorCode } from './clients.js';
import { isSlackFileUrl } from './file-download.js';
import type { KeyValueStore } from './kv.js';
import { escapeMrkdwn } from './status-blocks.js';

/** Slack's per-file maximum is commonly given as 1 GB; workspaces may restrict it further. */
export const DEFAULT_MAX_UPLOAD_BYTES = 1_000_000_000;
const MARKER_TTL_MS = 7 * 24 * 3_600_000;
const UPLOAD_TIMEOUT_MS = 10 * 60_000;
/** Errors after which the same bytes will never be accepted: the link is the way out. */
const REFUSED_UPLOAD = new Set(['file_upload_size_restricted', 'file_type_not_allowed', 'file_too_large']);

export interface DeliveryDeps {
  clients: SlackClients;
  kv: KeyValueStore;
  createMediaLink(jobId: string, filePath: string): Promise<string | undefined>;
  apiUrl: string | undefined;
  logger: Logger;
  maxUploadBytes: number;
  linkTtlHours: number;
}

/** Survives a crash between the share and the core recording it, so a second call posts nothing new. */
interface Marker {
  fileId?: string;
  refused?: boolean;
  location?: string;
}

type Client = Awaited<ReturnType<SlackClients['client']>>;

export async function deliverToSlack(
  deps: DeliveryDeps,
  video: VideoResult,
  update: JobUpdate,
): Promise<DeliveryReceipt> {
  const address = fromReplyTarget(update.replyTo);
  const key = `delivery:${video.jobId}`;
  const marker = (await deps.kv.get<Marker>(key)) ?? {};
  if (marker.location) return { location: marker.location };
  const client = await deps.clients.client(address);
  if (marker.fileId && (await alreadyShared(client, marker.fileId, address.channel))) {
    return record(deps, key, { ...marker, location: fileLocation(address, marker.fileId) });
  }
  const caption = escapeMrkdwn(video.caption);
  if (!marker.refused && video.bytes <= deps.maxUploadBytes) {
    try {
      const fileId = await upload(deps, client, video, address, key, caption, update.locale);
      deps.logger.info({ jobId: video.jobId, fileId, bytes: video.bytes }, 'slack video uploaded');
      return record(deps, key, { fileId, location: fileLocation(address, fileId) });
    } catch (error) {
      const code = slackErrorCode(error);
      if (!code || !REFUSED_UPLOAD.has(code)) throw error;
      deps.logger.info(
        { jobId: video.jobId, code, bytes: video.bytes },
        'slack refused the upload; posting a link',
      );
      await deps.kv.set(key, { refused: true }, MARKER_TTL_MS);
    }
  }
  return postLink(deps, client, video, address, key, caption, update.locale);
}

async function upload(
  deps: DeliveryDeps,
  client: Client,
  video: VideoResult,
  address: SlackAddress,
  key: string,
  caption: string,
  locale: string | undefined,
): Promise<string> {
  const got = await client.files.getUploadURLExternal({
    filename: `avatar-${video.jobId}.mp4`,
    length: video.bytes,
  });
  const uploadUrl = got.upload_url;
  const fileId = got.file_id;
  if (!uploadUrl || !fileId) throw new Error('files.getUploadURLExternal returned no upload_url');
  await deps.kv.set(key, { fileId }, MARKER_TTL_MS);
  if (!isSlackFileUrl(new URL(uploadUrl), deps.apiUrl)) throw new Error('upload_url is not on a Slack host');
  const response = await request(uploadUrl, {
    method: 'POST',
    body: createReadStream(video.path),
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(video.bytes) },
    headersTimeout: UPLOAD_TIMEOUT_MS,
    bodyTimeout: UPLOAD_TIMEOUT_MS,
  });
  response.body.resume();
  if (response.statusCode !== 200) throw new Error(`upload_url answered HTTP ${response.statusCode}`);
  await client.files.completeUploadExternal({
    files: [{ id: fileId, title: video.caption.slice(0, 250) }],
    channel_id: address.channel,
    // Always the parent's ts: a reply's ts would start no thread and hide the video.
    thread_ts: address.ts,
    initial_comment: t(locale, 'slack.delivery.comment', { user: mention(address.user), caption }),
  });
  return fileId;
}

async function postLink(
  deps: DeliveryDeps,
  client: Client,
  video: VideoResult,
  address: SlackAddress,
  key: string,
  caption: string,
  locale: string | undefined,
): Promise<DeliveryReceipt> {
  const url = await deps.createMediaLink(video.jobId, video.path);
  if (!url) throw new JobError('DELIVERY_FAILED', 'video too large for Slack and PUBLIC_URL is not set');
  await client.chat.postMessage({
    channel: address.channel,
    thread_ts: address.ts,
    text: t(locale, 'slack.delivery.link', {
      user: mention(address.user),
      caption,
      url,
      hours: deps.linkTtlHours,
    }),
    unfurl_links: false,
    unfurl_media: false,
  });
  deps.logger.info({ jobId: video.jobId, bytes: video.bytes }, 'slack video link posted');
  return record(deps, key, { refused: true, location: `slack:${address.channel}:${address.ts}:link` });
}

async function alreadyShared(client: Client, fileId: string, channel: string): Promise<boolean> {
  try {
    const info = await client.files.info({ file: fileId });
    const file = info.file as
      | { channels?: string[]; groups?: string[]; shares?: Record<string, Record<string, unknown>> }
      | undefined;
    if (!file) return false;
    const inShares = Object.values(file.shares ?? {}).some((byChannel) => channel in byChannel);
    return inShares || !!file.channels?.includes(channel) || !!file.groups?.includes(channel);
  } catch {
    // An unshared upload may be gone already; uploading again is the right answer then.
    return false;
  }
}

function fileLocation(address: SlackAddress, fileId: string): string {
  return `slack:${address.channel}:${address.ts}:${fileId}`;
}

async function record(deps: DeliveryDeps, key: string, marker: Marker): Promise<DeliveryReceipt> {
  await deps.kv.set(key, marker, MARKER_TTL_MS);
  return { location: marker.location ?? '' };
}
