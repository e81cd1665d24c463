// Delivery against the fake Discord API: where the video goes (thread, channel, follow-up), how it
// goes (upload, re-encode, link), what happens when Discord refuses, and that a repeat is harmless.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REST } from 'discord.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DiscordAddress } from '../adapters/discord/address.js';
import { attachmentPolicy } from '../adapters/discord/attachments.js';
import { type DeliveryDeps, deliverVideo } from '../adapters/discord/deliver.js';
import { DiscordAdapter } from '../adapters/discord/discord-adapter.js';
import { DiscordApi, DiscordCallError } from '../adapters/discord/discord-api.js';
import { createVideoFitter, planFit } from '../adapters/discord/fit-video.js';
import { restOptions } from '../adapters/discord/rest.js';
import type { JobUpdate, VideoResult } from '../src/core/types.js';
import { silentLogger } from '../src/logger.js';
import { runTool } from '../src/media/run.js';
import { resolveMediaTools } from '../src/media/tools.js';
import { FakeDiscord } from './fakes/fake-discord.js';
import { APP_ID, CHANNEL_ID, GUILD_ID, OWNER, snowflake } from './fakes/fake-discord-payloads.js';

let fake: FakeDiscord;
let dir: string;
let api: DiscordApi;
const policy = attachmentPolicy(undefined, 25 * 1024 * 1024);
let counter = 0;
const fitCalls: number[] = [];
let fitResult: 'fit' | 'none' = 'fit';
let linkBase: string | undefined = 'https://bot.example/media';

const silent = { info() {}, warn() {} };
const deps = (): DeliveryDeps => ({
  api,
  createMediaLink: async (jobId) => (linkBase ? `${linkBase}/${jobId}-token` : undefined),
  fitVideo: async (_input, output, limit) => {
    fitCalls.push(limit);
    if (fitResult === 'none') return undefined;
    await writeFile(output, randomBytes(Math.floor(limit / 2)));
    return { path: output, bytes: Math.floor(limit / 2) };
  },
  mediaLinkHours: 72,
  logger: silent,
});

async function videoOf(bytes: number): Promise<VideoResult> {
  counter += 1;
  const jobId = `av-test${String(counter).padStart(16, 'a')}`;
  const jobDir = path.join(dir, jobId);
  await rm(jobDir, { recursive: true, force: true });
  await mkdir(jobDir, { recursive: true });
  const file = path.join(jobDir, 'result.mp4');
  await writeFile(file, randomBytes(bytes));
  return {
    jobId,
    path: file,
    bytes,
    durationSeconds: 5,
    mode: 'std',
    caption: 'AI-generated video for Ada.',
  };
}

function address(overrides: Partial<DiscordAddress> = {}): DiscordAddress {
  return {
    token: `tok-${snowflake()}`,
    issuedAt: Date.now(),
    channelId: CHANNEL_ID,
    guildId: GUILD_ID,
    messageId: snowflake(),
    canThread: true,
    canPost: true,
    canAttach: true,
    canReply: true,
    uploadLimit: 10 * 1024 * 1024,
    ...overrides,
  };
}

function updateFor(video: VideoResult, to: DiscordAddress, extra: Partial<JobUpdate> = {}): JobUpdate {
  return {
    ...extra,
    jobId: video.jobId,
    phase: 'delivering',
    text: 'Delivering',
    replyTo: { adapter: 'discord', address: { ...to } },
    requester: { id: OWNER.id, displayName: 'Ada' },
    locale: 'en-US',
    mode: 'std',
  };
}

const deliver = (video: VideoResult, to: DiscordAddress, extra: Partial<JobUpdate> = {}) =>
  deliverVideo(deps(), to, video, updateFor(video, to, extra));
const postsWithNonce = (jobId: string) =>
  fake.calls.filter((c) => c.method === 'POST' && c.json?.nonce === jobId);

beforeAll(async () => {
  fake = await FakeDiscord.start();
  dir = await mkdtemp(path.join(tmpdir(), 'discord-deliver-'));
  api = new DiscordApi(new REST(restOptions(fake.apiUrl)).setToken(fake.botToken), APP_ID);
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  fitCalls.length = 0;
  fitResult = 'fit';
  linkBase = 'https://bot.example/media';
  fake.uploadLimit = 10 * 1024 * 1024;
  fake.refusedChannels.clear();
});

describe('deliverVideo', () => {
  it('uploads a video that fits into a new thread on the status message', async () => {
    const video = await videoOf(50_000);
    const to = address();
    const done = await deliver(video, to);
    expect(done.link).toBe(`<#${to.messageId}>`);
    expect(fake.threads.get(to.messageId)?.parentId).toBe(CHANNEL_ID);
    const [post] = postsWithNonce(video.jobId);
    expect(post?.path).toBe(`/channels/${to.messageId}/messages`);
    expect(post?.files[0]?.size).toBe(50_000);
    expect(fitCalls).toEqual([]);
  });

  it('is idempotent: a repeated delivery reuses the thread and the message', async () => {
    const video = await videoOf(1_000);
    const to = address();
    const first = await deliver(video, to);
    const second = await deliver(video, to);
    expect(second.location).toBe(first.location);
    const messages = [...fake.messages.values()].filter((m) => m.nonce === video.jobId);
    expect(messages).toHaveLength(1);
  });

  it('re-encodes a video above the limit, and reuses the re-encoded file on a repeat', async () => {
    const video = await videoOf(40_000);
    const to = address({ uploadLimit: 30_000 });
    await deliver(video, to);
    await deliver(video, to);
    expect(fitCalls).toEqual([30_000]);
    expect(postsWithNonce(video.jobId)[0]?.files[0]?.size).toBe(15_000);
  });

  it('never assumes more than the default 10 MiB for bot posts, whatever Nitro the user has', async () => {
    const video = await videoOf(11 * 1024 * 1024);
    await deliver(video, address({ uploadLimit: 500 * 1024 * 1024 }));
    expect(fitCalls).toEqual([10 * 1024 * 1024]);
  });

  it('posts an expiring link when re-encoding cannot keep the video watchable', async () => {
    fitResult = 'none';
    const video = await videoOf(40_000);
    await deliver(video, address({ uploadLimit: 30_000 }));
    const [post] = postsWithNonce(video.jobId);
    expect(post?.files).toEqual([]);
    expect(post?.json?.content).toContain(`https://bot.example/media/${video.jobId}-token`);
    expect(post?.json?.content).toContain('expires in 72 h');
  });

  it('falls back to a link when Discord refuses the size it announced (413 / 40005)', async () => {
    fake.uploadLimit = 10_000;
    const video = await videoOf(20_000);
    await deliver(video, address());
    const posts = postsWithNonce(video.jobId);
    expect(posts.map((p) => p.status)).toEqual([413, 200]);
    expect(posts[1]?.json?.content).toContain('/media/');
  });

  it('fails the delivery when the video is too large and no PUBLIC_URL is set', async () => {
    fitResult = 'none';
    linkBase = undefined;
    const video = await videoOf(40_000);
    await expect(deliver(video, address({ uploadLimit: 30_000 }))).rejects.toMatchObject({
      code: 'DELIVERY_FAILED',
    });
  });

  it('uses the interaction follow-up when the bot may not post in the channel', async () => {
    fake.refusedChannels.add(CHANNEL_ID);
    const video = await videoOf(1_000);
    const to = address();
    fake.trackInteraction(to.token, CHANNEL_ID);
    const done = await deliver(video, to);
    const followUp = fake.callsTo('POST', new RegExp(`^/webhooks/${APP_ID}/${to.token}$`));
    expect(followUp).toHaveLength(1);
    expect(followUp[0]?.auth).toBe('none');
    expect(done.location).toMatch(/^discord:/);
  });

  it('never touches the interaction webhook once the token is older than its lifetime', async () => {
    fake.refusedChannels.add(CHANNEL_ID);
    const video = await videoOf(1_000);
    const to = address({ issuedAt: Date.now() - 20 * 60_000 });
    await expect(deliver(video, to)).rejects.toMatchObject({ status: 403 });
    expect(fake.calls.filter((c) => c.path.includes(to.token))).toEqual([]);
  });

  it('hands the core a failure without URLs, tokens or uploaded bytes in it', async () => {
    fake.refusedChannels.add(CHANNEL_ID);
    const adapter = new DiscordAdapter({ api, delivery: deps(), logger: silentLogger(), policy });
    const video = await videoOf(1_000);
    const to = address({ issuedAt: Date.now() - 20 * 60_000 });
    const failure = await adapter.deliver(video, updateFor(video, to)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DiscordCallError);
    expect(failure).toMatchObject({ status: 403, code: 50013 });
    const dump = JSON.stringify(failure, Object.getOwnPropertyNames(failure));
    expect(dump).not.toContain(to.token);
    expect(dump).not.toContain(fake.botToken);
    expect(dump).not.toMatch(/requestBody|files|http:/);
    adapter.close();
  });

  it('revives a stored attachment for another instance under the same host and type rules', () => {
    const adapter = new DiscordAdapter({ api, delivery: deps(), logger: silentLogger(), policy });
    const cdn = 'https://cdn.discordapp.com/attachments/1/2/face.jpg?ex=1&is=2&hm=3';
    const image = adapter.reviveAttachment(
      { name: 'face.jpg', source: cdn, contentType: 'image/jpeg', size: 1_000 },
      'image',
    );
    expect(image?.source).toBe(cdn);
    expect(typeof image?.fetch).toBe('function');
    // A record pointing anywhere else, or at the wrong kind of file, is not fetched.
    const foreign = { name: 'face.jpg', source: 'https://evil.test/face.jpg', size: 1_000 };
    expect(adapter.reviveAttachment(foreign, 'image')).toBeUndefined();
    const notAudio = { name: 'face.jpg', source: cdn, contentType: 'image/jpeg', size: 1_000 };
    expect(adapter.reviveAttachment(notAudio, 'voice')).toBeUndefined();
    adapter.close();
  });

  it('honours a team that wants results in the channel: no thread', async () => {
    const video = await videoOf(1_000);
    const to = address();
    await deliver(video, to, { visibility: 'channel' });
    expect(fake.threads.has(to.messageId)).toBe(false);
    expect(postsWithNonce(video.jobId)[0]?.path).toBe(`/channels/${CHANNEL_ID}/messages`);
  });

  it('honours a team that wants results by DM, and never falls back to a public post', async () => {
    const video = await videoOf(1_000);
    const to = address();
    const done = await deliver(video, to, { visibility: 'dm' });
    const dm = fake.dmChannels.get(OWNER.id);
    expect(postsWithNonce(video.jobId)[0]?.path).toBe(`/channels/${dm}/messages`);
    expect(done.link).toContain('/channels/@me/');

    fake.closedDms.add(OWNER.id);
    const other = await videoOf(1_000);
    await expect(deliver(other, address(), { visibility: 'dm' })).rejects.toMatchObject({ status: 403 });
    expect(postsWithNonce(other.jobId)).toEqual([]);
    fake.closedDms.delete(OWNER.id);
  });

  it('posts in the channel itself, replying to the status message, where threads are impossible', async () => {
    const video = await videoOf(1_000);
    const to = address({ canThread: false, guildId: '' });
    const done = await deliver(video, to);
    const [post] = postsWithNonce(video.jobId);
    expect(post?.path).toBe(`/channels/${CHANNEL_ID}/messages`);
    expect(post?.json?.message_reference).toEqual({ message_id: to.messageId, fail_if_not_exists: false });
    expect(done.link).toMatch(/^https:\/\/discord\.com\/channels\/@me\//);
  });
});

describe('planFit', () => {
  it.each([
    [10 * 1024 * 1024, 20, 720],
    [10 * 1024 * 1024, 100, 480],
    [10 * 1024 * 1024, 150, 360],
  ])('fits %d bytes for %d s at %dp', (limit, seconds, height) => {
    expect(planFit(limit, seconds)?.height).toBe(height);
  });

  it('gives up when the bitrate would be unwatchable', () => {
    expect(planFit(10 * 1024 * 1024, 600)).toBeUndefined();
    expect(planFit(1_000, 5)).toBeUndefined();
    expect(planFit(1_000_000, 0)).toBeUndefined();
  });
});

describe('createVideoFitter with ffmpeg', () => {
  it('shrinks a 720p clip under the limit, keeping its length, or declines when it cannot', async () => {
    const tools = await resolveMediaTools({});
    const input = path.join(dir, 'big.mp4');
    await runTool(
      tools.ffmpeg,
      [
        ...[
          '-hide_banner',
          '-loglevel',
          'error',
          '-y',
          '-f',
          'lavfi',
          '-i',
          'testsrc2=size=1280x720:rate=25',
        ],
        ...['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '6', '-c:v', 'libx264', '-preset', 'ultrafast'],
        ...['-b:v', '4M', '-c:a', 'aac', '-pix_fmt', 'yuv420p', input],
      ],
      { timeoutMs: 60_000 },
    );
    const original = (await stat(input)).size;
    const fitter = createVideoFitter({ inputMaxBytes: 1e8, concurrency: 1 });
    const limit = Math.floor(original / 2);
    const result = await fitter(input, path.join(dir, 'fit.mp4'), limit, 6);
    expect(result?.bytes).toBeLessThanOrEqual(limit);
    expect(result?.bytes).toBeGreaterThan(limit / 4);
    const { stdout } = await runTool(
      tools.ffprobe,
      ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', result?.path ?? ''],
      { timeoutMs: 20_000 },
    );
    expect(Number(stdout)).toBeCloseTo(6, 0);
    expect(await fitter(input, path.join(dir, 'tiny.mp4'), 20_000, 6)).toBeUndefined();
  });
});
