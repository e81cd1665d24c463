// The Discord adapter end to end in HTTP interactions mode: real Ed25519-signed payloads posted to the
// app's /discord/interactions, the core and its Kling emulator behind it, and a fake Discord REST API
// (discord.js pointed at it through DISCORD_API_URL) that records every call the adapter makes.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { againButtonId, formModalId, retryButtonId } from '../adapters/discord/custom-ids.js';
import { type DiscordHandle, startDiscordAdapter } from '../adapters/discord/index.js';
import type { Job } from '../src/jobs/job.js';
import { jobIdFor } from '../src/util/ids.js';
import { FakeDiscord } from './fakes/fake-discord.js';
import {
  APP_ID,
  attachment,
  buttonClick,
  CHANNEL_ID,
  makeKeys,
  messageCommand,
  modalSubmit,
  OWNER,
  postInteraction,
  STRANGER,
  slashCommand,
} from './fakes/fake-discord-payloads.js';
import { freePort } from './helpers/free-port.js';
import { SAMPLE_FACE, SAMPLE_VOICE, startTestApp, type TestApp } from './helpers/test-app.js';

const keys = makeKeys();
const face = readFileSync(SAMPLE_FACE);
const voice = readFileSync(SAMPLE_VOICE);

let fake: FakeDiscord;
let t: TestApp;
let discord: DiscordHandle;
let publicUrl: string;

type Payload = { id: string; token: string; channel_id: string };

function send(payload: Payload, tamper?: Parameters<typeof postInteraction>[3]) {
  fake.trackInteraction(payload.token, payload.channel_id);
  return postInteraction(`${t.app.url}/discord/interactions`, payload, keys, tamper);
}

const jobOf = (payload: { id: string }) => jobIdFor(`discord:${payload.id}`);

const FINAL_STATUS = /^(Done|Failed|Not made):/m;

/** Waits until the job has ended and its final status edit has reached the fake (on either route). */
async function finished(
  jobId: string,
  statusMessage: () => string | undefined,
  timeoutMs = 30_000,
): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await t.app.service.getJob(jobId);
    const terminal = job && (job.state === 'delivered' || job.state === 'failed');
    if (job && terminal && FINAL_STATUS.test(statusMessage() ?? '')) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} stuck in ${job?.state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const statusOf = (payload: Payload) => () => fake.original(payload.token)?.content;

function photo(extra: { url?: string; size?: number } = {}) {
  return attachment({
    url: extra.url ?? fake.addFile('face.jpg', face, 'image/jpeg'),
    filename: 'face.jpg',
    contentType: 'image/jpeg',
    size: extra.size ?? face.length,
  });
}

function voiceNote() {
  const url = fake.addFile('voice-message.ogg', voice, 'audio/ogg');
  return attachment({ url, filename: 'voice-message.ogg', contentType: 'audio/ogg', size: voice.length });
}

beforeAll(async () => {
  fake = await FakeDiscord.start();
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  t = await startTestApp({
    env: {
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      DISCORD_TOKEN: fake.botToken,
      DISCORD_APPLICATION_ID: APP_ID,
      DISCORD_PUBLIC_KEY: keys.publicKeyHex,
      DISCORD_MODE: 'http',
      DISCORD_API_URL: fake.apiUrl,
      // Price confirmations have their own test file (discord-controls); here pro runs straight through.
      CONFIRM_THRESHOLD_USD: '1000',
    },
  });
  const config = t.app.config.discord;
  if (!config) throw new Error('discord config missing');
  discord = await startDiscordAdapter(t.app, config, { statusIntervalMs: 150 });
});

afterAll(async () => {
  await discord?.stop();
  await t?.close();
  await fake?.close();
});

beforeEach(() => {
  t.app.emulator?.resetFaults();
});

describe('Discord /avatar over HTTP interactions', () => {
  it('defers at once, edits the status, starts a thread and uploads the video there', async () => {
    const payload = slashCommand({ image: photo(), voice: voiceNote(), mode: 'std' });
    const answer = await send(payload);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ type: 5 });
    // Discord voids the token after 3 s; the margin covers a loaded CI machine, not a slow adapter.
    expect(answer.ms).toBeLessThan(2_500);

    const jobId = jobOf(payload);
    const job = await finished(jobId, statusOf(payload));
    expect(job.state).toBe('delivered');

    const status = fake.original(payload.token);
    expect(status?.channel_id).toBe(CHANNEL_ID);
    const thread = fake.threads.get(status?.id ?? '');
    expect(thread).toEqual({ parentId: CHANNEL_ID, name: 'Talking avatar for Ada' });
    const post = fake.callsTo('POST', new RegExp(`^/channels/${status?.id}/messages$`));
    expect(post).toHaveLength(1);
    const upload = post[0];
    expect(upload?.auth).toBe('bot');
    expect(upload?.files).toEqual([
      expect.objectContaining({
        name: `avatar-${jobId}.mp4`,
        contentType: 'video/mp4',
        size: job.result?.bytes,
      }),
    ]);
    expect(upload?.json?.content).toContain(`<@${OWNER.id}>`);
    expect(upload?.json?.allowed_mentions).toEqual({ users: [OWNER.id] });
    expect(upload?.json?.nonce).toBe(jobId);
    expect(JSON.stringify(upload?.json?.components)).toContain(againButtonId(jobId, 'pro', OWNER.id));

    const edits = fake.callsTo('PATCH', new RegExp(`/${payload.token}/messages/@original$`));
    expect(edits.map((c) => c.json?.content)[0]).toMatch(/^Got it/);
    expect(edits.length).toBeGreaterThanOrEqual(3);
    expect(status?.content).toContain('Accepted: std mode');
    expect(status?.content).toContain('Done:');
    expect(status?.content).toContain(`<#${status?.id}>`);
    expect(fake.fileRequests).toHaveLength(2);
  });

  it('collapses repeated deliveries of one interaction into one job and one post', async () => {
    const payload = slashCommand({ image: photo(), voice: voiceNote() });
    const answers = await Promise.all([send(payload), send(payload), send(payload)]);
    expect(answers.map((a) => a.body)).toEqual([{ type: 5 }, { type: 5 }, { type: 5 }]);
    const jobId = jobOf(payload);
    await finished(jobId, statusOf(payload));
    expect(t.app.emulator?.stats().createsByExternalId[jobId]).toBe(1);
    const posts = fake.calls.filter((c) => c.method === 'POST' && c.json?.nonce === jobId);
    expect(posts).toHaveLength(1);
  });

  it('answers input mistakes privately, before anything is downloaded or stored', async () => {
    const before = fake.fileRequests.length;
    const payload = slashCommand({ image: photo() });
    const answer = await send(payload);
    expect(answer.body).toEqual({
      type: 4,
      data: {
        content: 'Attach a voice note, or give the text the avatar should say.',
        flags: 64,
        allowed_mentions: { parse: [] },
      },
    });
    const both = await send(
      slashCommand({ image: photo(), voice: voiceNote(), text: 'Hello there, everyone!' }),
    );
    expect((both.body as { data: { content: string } }).data.content).toBe(
      'Give either a voice note or text to speak, not both.',
    );
    expect(await t.app.service.getJob(jobOf(payload))).toBeUndefined();
    expect(fake.fileRequests.length).toBe(before);
  });

  it('refuses an attachment on a foreign host without ever contacting it', async () => {
    const hits: string[] = [];
    const foreign: Server = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end('not an image');
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    try {
      const port = (foreign.address() as AddressInfo).port;
      const payload = slashCommand({
        image: photo({ url: `http://127.0.0.1:${port}/attachments/1/2/face.jpg` }),
        voice: voiceNote(),
      });
      const answer = await send(payload);
      expect(answer.body).toMatchObject({ type: 4, data: { flags: 64 } });
      expect((answer.body as { data: { content: string } }).data.content).toBe(
        'The photo link is not from an allowed file host. Attach the file directly.',
      );
      const sneaky = await send(
        slashCommand({
          image: photo({ url: 'https://cdn.discordapp.com.evil.example/a/b/face.jpg' }),
          voice: voiceNote(),
        }),
      );
      expect((sneaky.body as { type: number }).type).toBe(4);
      await new Promise((r) => setTimeout(r, 200));
      expect(hits).toEqual([]);
      expect(await t.app.service.getJob(jobOf(payload))).toBeUndefined();
    } finally {
      await new Promise<void>((resolve) => foreign.close(() => resolve()));
    }
  });

  it('rejects forged, stale and tampered signatures with 401 and stores nothing', async () => {
    const payload = slashCommand({ image: photo(), voice: voiceNote() });
    const callsBefore = fake.calls.length;
    const forged = await send(payload, { signWith: makeKeys() });
    const stale = await send(payload, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    const tampered = await send(payload, { body: JSON.stringify({ ...payload, type: 1 }) });
    expect([forged.status, stale.status, tampered.status]).toEqual([401, 401, 401]);
    const unsigned = await request(`${t.app.url}/discord/interactions`, {
      method: 'POST',
      body: '{"type":1}',
    });
    expect(unsigned.statusCode).toBe(401);
    await unsigned.body.dump();
    await new Promise((r) => setTimeout(r, 200));
    expect(await t.app.service.getJob(jobOf(payload))).toBeUndefined();
    expect(fake.calls.length).toBe(callsBefore);
  });

  it('answers a signed PING with PONG, however little else the PING carries', async () => {
    const ping = await postInteraction(`${t.app.url}/discord/interactions`, { type: 1 }, keys);
    expect(ping).toMatchObject({ status: 200, body: { type: 1 } });
  });

  it('posts a link served by the bot when the video exceeds the upload limit', async () => {
    const payload = slashCommand({ image: photo(), voice: voiceNote(), sizeLimit: 1_000 });
    await send(payload);
    const jobId = jobOf(payload);
    const job = await finished(jobId, statusOf(payload));
    expect(job.state).toBe('delivered');
    const threadId = fake.original(payload.token)?.id ?? '';
    const [post] = fake.callsTo('POST', new RegExp(`^/channels/${threadId}/messages$`));
    expect(post?.files).toEqual([]);
    const content = String(post?.json?.content);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/media\/[A-Za-z0-9_-]+)/.exec(content)?.[1] ?? '';
    expect(link.startsWith(`${publicUrl}/media/`)).toBe(true);
    const download = await request(link);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('video/mp4');
    expect((await download.body.arrayBuffer()).byteLength).toBe(job.result?.bytes);
  });

  it('edits the status and delivers with the bot token once the interaction token has expired', async () => {
    const payload = slashCommand({ image: photo(), voice: voiceNote() });
    await send(payload);
    await fake.waitFor((c) => c.method === 'PATCH' && c.path.includes(payload.token) && c.status === 200);
    fake.expiredTokens.add(payload.token);
    const status = fake.original(payload.token);
    const jobId = jobOf(payload);
    const job = await finished(jobId, () => fake.messages.get(status?.id ?? '')?.content);
    expect(job.state).toBe('delivered');
    const botEdits = fake.callsTo('PATCH', new RegExp(`^/channels/${CHANNEL_ID}/messages/${status?.id}$`));
    expect(botEdits.length).toBeGreaterThan(0);
    expect(botEdits.every((c) => c.auth === 'bot' && c.status === 200)).toBe(true);
    const refused = fake.calls.filter((c) => c.path.includes(payload.token) && c.status === 401);
    expect(refused).toHaveLength(1);
    expect(fake.calls.filter((c) => c.method === 'POST' && c.path.startsWith('/webhooks/'))).toEqual([]);
    expect(fake.callsTo('POST', new RegExp(`^/channels/${status?.id}/messages$`))[0]?.files).toHaveLength(1);
  });

  it("refuses another user's button politely and lets the owner run it again in pro", async () => {
    const payload = slashCommand({ image: photo(), voice: voiceNote() });
    await send(payload);
    const jobId = jobOf(payload);
    await finished(jobId, statusOf(payload));
    const threadId = fake.original(payload.token)?.id ?? '';
    const buttonId = againButtonId(jobId, 'pro', OWNER.id);

    const stranger = buttonClick(buttonId, { user: STRANGER, channelId: threadId, channelType: 11 });
    const refusal = await send(stranger);
    expect(refusal.body).toMatchObject({
      type: 4,
      data: { content: 'Only the person who started this video can use its buttons.', flags: 64 },
    });
    expect(await t.app.service.getJob(jobOf(stranger))).toBeUndefined();

    const oldStatus = fake.original(payload.token)?.content;
    const click = buttonClick(buttonId, { channelId: threadId, channelType: 11 });
    expect((await send(click)).body).toEqual({ type: 5 });
    const rerun = await finished(jobOf(click), statusOf(click));
    expect(rerun).toMatchObject({ state: 'delivered', mode: 'pro' });
    expect(fake.original(click.token)?.content).toContain('Accepted: pro mode');
    expect(fake.original(payload.token)?.content).toBe(oldStatus);
    const [post] = fake
      .callsTo('POST', new RegExp(`^/channels/${threadId}/messages$`))
      .filter((c) => c.json?.nonce === jobOf(click));
    expect(post?.json?.message_reference).toMatchObject({ message_id: fake.original(click.token)?.id });
    expect(JSON.stringify(post?.json?.components)).toContain(againButtonId(jobOf(click), 'std', OWNER.id));
  });

  it('offers Retry on a failed render, and the retry succeeds', async () => {
    t.app.emulator?.setFaults({ failNextTasks: 1 });
    const payload = slashCommand({ image: photo(), voice: voiceNote() });
    await send(payload);
    const jobId = jobOf(payload);
    const failed = await finished(jobId, statusOf(payload));
    expect(failed.state).toBe('failed');
    const status = fake.original(payload.token);
    expect(status?.content).toContain('Failed:');
    expect(JSON.stringify(status?.components)).toContain(retryButtonId(jobId, OWNER.id));
    const retry = buttonClick(retryButtonId(jobId, OWNER.id));
    expect((await send(retry)).body).toEqual({ type: 5 });
    expect((await finished(jobOf(retry), statusOf(retry))).state).toBe('delivered');
  });

  it('asks for a photo with a modal when the message command targets a voice message', async () => {
    const command = messageCommand({ attachments: [voiceNote()], voiceMessage: true });
    const modal = await send(command);
    expect(modal.body).toMatchObject({ type: 9, data: { custom_id: formModalId(command.id) } });
    const fields = (
      modal.body as {
        data: { components: Array<{ type: number; component: { type: number; custom_id: string } }> };
      }
    ).data.components;
    expect(fields[0]).toMatchObject({ type: 18, component: { type: 19, custom_id: 'image' } });

    const otherUser = modalSubmit(formModalId(command.id), { image: photo() }, { user: STRANGER });
    expect((await send(otherUser)).body).toMatchObject({ type: 4, data: { flags: 64 } });

    const submit = modalSubmit(formModalId(command.id), { image: photo(), mode: 'pro' });
    expect((await send(submit)).body).toEqual({ type: 5 });
    const job = await finished(jobOf(submit), statusOf(submit));
    expect(job).toMatchObject({ state: 'delivered', mode: 'pro' });
    expect(job.input.voice?.name).toBe('voice-message.ogg');
  });

  it('explains how to use the bot when the target message holds nothing usable', async () => {
    const command = messageCommand({ attachments: [] });
    const answer = await send(command);
    expect(answer.body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect((answer.body as { data: { content: string } }).data.content).toContain(
      '/avatar image=<attachment>',
    );
  });
});
