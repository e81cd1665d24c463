// Delivering the video: Slack's external upload flow into the status message's thread, idempotent
// per job (even after a crash between the share and the record), and a media link when too large.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toReplyTarget } from '../adapters/slack/address.js';
import { SlackClients } from '../adapters/slack/clients.js';
import { type DeliveryDeps, deliverToSlack } from '../adapters/slack/deliver.js';
import { MemoryKeyValueStore } from '../adapters/slack/kv.js';
import type { JobUpdate, VideoResult } from '../src/core/types.js';
import { JobError } from '../src/errors.js';
import { silentLogger } from '../src/logger.js';
import { FakeSlack } from './fakes/fake-slack.js';

let slack: FakeSlack;
let dir: string;
let videoPath: string;
const VIDEO = Buffer.alloc(50_000, 7);
const PARENT_TS = '1700000000.000100';
let n = 0;

beforeAll(async () => {
  slack = await new FakeSlack().start();
  dir = await mkdtemp(path.join(tmpdir(), 'slack-deliver-'));
  videoPath = path.join(dir, 'result.mp4');
  await writeFile(videoPath, VIDEO);
});
afterAll(async () => {
  await slack.close();
  await rm(dir, { recursive: true, force: true });
});

function setup(overrides: Partial<DeliveryDeps> = {}) {
  n += 1;
  const jobId = `av-deliverjob${String(n).padStart(8, 'a')}`;
  const links: string[] = [];
  const deps: DeliveryDeps = {
    clients: new SlackClients(async () => slack.botToken, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
    }),
    kv: new MemoryKeyValueStore(),
    createMediaLink: async (id) => {
      links.push(id);
      return `http://127.0.0.1:9/media/token-for-${id}`;
    },
    apiUrl: slack.apiUrl,
    logger: silentLogger(),
    maxUploadBytes: 1_000_000,
    linkTtlHours: 72,
    ...overrides,
  };
  const video: VideoResult = {
    jobId,
    path: videoPath,
    bytes: VIDEO.length,
    durationSeconds: 4,
    mode: 'std',
    caption: 'AI-generated talking-avatar video for ada <3.',
  };
  const update: JobUpdate = {
    jobId,
    phase: 'delivering',
    text: 'x',
    replyTo: toReplyTarget({ channel: 'C0VIDEO', ts: PARENT_TS, job: jobId, user: 'U0ADA' }),
    requester: { id: 'U0ADA', displayName: 'ada' },
    locale: 'en',
    mode: 'std',
  };
  return { deps, video, update, jobId, links };
}

const uploadsFor = (jobId: string) =>
  [...slack.uploads.values()].filter((u) => u.filename === `avatar-${jobId}.mp4`);

describe('deliverToSlack', () => {
  it('uploads the bytes in the parent thread with a comment that mentions the requester', async () => {
    const { deps, video, update, jobId } = setup();
    const receipt = await deliverToSlack(deps, video, update);
    const [upload] = uploadsFor(jobId);
    expect(upload?.bytes?.equals(VIDEO)).toBe(true);
    expect(upload?.length).toBe(VIDEO.length);
    expect(upload?.completed).toMatchObject({ channel_id: 'C0VIDEO', thread_ts: PARENT_TS });
    expect(upload?.completed?.initial_comment).toBe(
      '<@U0ADA> AI-generated talking-avatar video for ada &lt;3.',
    );
    expect(receipt.location).toBe(`slack:C0VIDEO:${PARENT_TS}:${upload?.fileId}`);
  });

  it('does not upload twice when called again for the same job', async () => {
    const { deps, video, update, jobId } = setup();
    const first = await deliverToSlack(deps, video, update);
    const second = await deliverToSlack(deps, video, update);
    expect(second).toEqual(first);
    expect(uploadsFor(jobId)).toHaveLength(1);
  });

  it('finds an upload that was shared just before a crash through files.info', async () => {
    const { deps, video, update, jobId } = setup();
    const first = await deliverToSlack(deps, video, update);
    const fileId = uploadsFor(jobId)[0]?.fileId;
    // What a crash between completeUploadExternal and the final record leaves behind.
    await deps.kv.set(`delivery:${jobId}`, { fileId });
    expect(await deliverToSlack(deps, video, update)).toEqual(first);
    expect(uploadsFor(jobId)).toHaveLength(1);
    expect(slack.callsOf('files.info').some((c) => c.args.file === fileId)).toBe(true);
  });

  it('uploads again when the recorded file was never shared', async () => {
    const { deps, video, update, jobId } = setup();
    await deps.kv.set(`delivery:${jobId}`, { fileId: 'F0NEVERSHARED' });
    await deliverToSlack(deps, video, update);
    expect(uploadsFor(jobId)).toHaveLength(1);
  });

  it('posts a media link in the thread instead of uploading a file over the size limit', async () => {
    const { deps, video, update, jobId, links } = setup({ maxUploadBytes: 10_000 });
    const before = slack.callsOf('files.getUploadURLExternal').length;
    const receipt = await deliverToSlack(deps, video, update);
    expect(slack.callsOf('files.getUploadURLExternal')).toHaveLength(before);
    expect(links).toEqual([jobId]);
    const post = slack.callsOf('chat.postMessage').at(-1);
    expect(post?.args).toMatchObject({ channel: 'C0VIDEO', thread_ts: PARENT_TS });
    expect(String(post?.args.text)).toContain(`<http://127.0.0.1:9/media/token-for-${jobId}|this link>`);
    expect(String(post?.args.text)).toContain('<@U0ADA>');
    expect(String(post?.args.text)).toContain('72 hours');
    expect(receipt.location).toBe(`slack:C0VIDEO:${PARENT_TS}:link`);
  });

  it('falls back to the link when the workspace restricts the upload size', async () => {
    const { deps, video, update, links, jobId } = setup();
    slack.failNext('files.completeUploadExternal', 'file_upload_size_restricted');
    await deliverToSlack(deps, video, update);
    expect(links).toEqual([jobId]);
    // A second call after the fallback neither uploads nor posts again.
    const posts = slack.callsOf('chat.postMessage').length;
    await deliverToSlack(deps, video, update);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(posts);
  });

  it('fails with DELIVERY_FAILED when the file is too large and there is no PUBLIC_URL', async () => {
    const { deps, video, update } = setup({ createMediaLink: async () => undefined });
    slack.failNext('files.getUploadURLExternal', 'file_upload_size_restricted');
    const error = await deliverToSlack(deps, video, update).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobError);
    expect((error as JobError).code).toBe('DELIVERY_FAILED');
  });

  it('lets other Slack errors through so the core retries the delivery', async () => {
    const { deps, video, update } = setup();
    slack.failNext('files.completeUploadExternal', 'not_in_channel');
    await expect(deliverToSlack(deps, video, update)).rejects.toMatchObject({
      data: { error: 'not_in_channel' },
    });
  });
});
