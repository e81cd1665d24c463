// Team controls on Discord: a job that waits for its requester shows Confirm / Cancel / consent
// buttons on the status message; only the requester (or an admin) can answer, and the answer moves the
// job on or ends it at no cost. Same fakes as the flow test, with consent and pro confirmation on.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionButtonId } from '../adapters/discord/custom-ids.js';
import { type DiscordHandle, startDiscordAdapter } from '../adapters/discord/index.js';
import { jobIdFor } from '../src/util/ids.js';
import { FakeDiscord } from './fakes/fake-discord.js';
import {
  APP_ID,
  attachment,
  buttonClick,
  makeKeys,
  postInteraction,
  STRANGER,
  slashCommand,
} from './fakes/fake-discord-payloads.js';
import { SAMPLE_FACE, SAMPLE_VOICE, startTestApp, type TestApp } from './helpers/test-app.js';

const keys = makeKeys();
const face = readFileSync(SAMPLE_FACE);
const voice = readFileSync(SAMPLE_VOICE);
let fake: FakeDiscord;
let t: TestApp;
let discord: DiscordHandle;

type Payload = { id: string; token: string; channel_id: string };

function send(payload: Payload) {
  fake.trackInteraction(payload.token, payload.channel_id);
  return postInteraction(`${t.app.url}/discord/interactions`, payload, keys);
}

async function statusMatching(payload: Payload, pattern: RegExp, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = fake.original(payload.token);
    if (status && pattern.test(status.content)) return status;
    if (Date.now() > deadline) throw new Error(`status never matched ${pattern}: ${status?.content}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function request(mode: 'std' | 'pro') {
  return slashCommand({
    mode,
    image: attachment({
      url: fake.addFile('f.jpg', face, 'image/jpeg'),
      filename: 'f.jpg',
      contentType: 'image/jpeg',
      size: face.length,
    }),
    voice: attachment({
      url: fake.addFile('v.ogg', voice, 'audio/ogg'),
      filename: 'v.ogg',
      contentType: 'audio/ogg',
      size: voice.length,
    }),
  });
}

const jobOf = (payload: { id: string }) => jobIdFor(`discord:${payload.id}`);

beforeAll(async () => {
  fake = await FakeDiscord.start();
  t = await startTestApp({
    env: {
      DISCORD_TOKEN: fake.botToken,
      DISCORD_APPLICATION_ID: APP_ID,
      DISCORD_PUBLIC_KEY: keys.publicKeyHex,
      DISCORD_MODE: 'http',
      DISCORD_API_URL: fake.apiUrl,
      CONSENT_REQUIRED: 'true',
      CONFIRM_PRO: 'true',
    },
  });
  const config = t.app.config.discord;
  if (!config) throw new Error('discord config missing');
  discord = await startDiscordAdapter(t.app, config, { statusIntervalMs: 100 });
});

afterAll(async () => {
  await discord?.stop();
  await t?.close();
  await fake?.close();
});

describe('Discord buttons for jobs waiting on their requester', () => {
  it('asks for consent before a first video, refuses a stranger, and starts on the requester’s answer', async () => {
    const payload = request('std');
    await send(payload);
    const jobId = jobOf(payload);
    const waiting = await statusMatching(payload, /^Before your first video/);
    const buttons = JSON.stringify(waiting.components);
    expect(buttons).toContain(actionButtonId('consent', jobId));
    expect(buttons).toContain(actionButtonId('cancel', jobId));

    const stranger = buttonClick(actionButtonId('consent', jobId), { user: STRANGER });
    expect((await send(stranger)).body).toEqual({ type: 6 });
    const refusal = await fake.waitFor((c) => c.method === 'POST' && c.path.endsWith(`/${stranger.token}`));
    expect(refusal.json).toMatchObject({ flags: 64, content: expect.stringContaining('Only the person') });
    expect((await t.app.service.getJob(jobId))?.state).toBe('awaiting_confirmation');

    expect((await send(buttonClick(actionButtonId('consent', jobId)))).body).toEqual({ type: 6 });
    const done = await statusMatching(payload, /^Done:/m);
    // The consent buttons are gone; Again in pro/std sits on the video post in the thread.
    expect(done.components).toEqual([]);
    expect((await t.app.service.getJob(jobId))?.state).toBe('delivered');
  });

  it('shows the price of a pro video and ends it at no cost when the requester cancels', async () => {
    const payload = request('pro');
    await send(payload);
    const jobId = jobOf(payload);
    const waiting = await statusMatching(payload, /^Estimated cost US\$/);
    expect(JSON.stringify(waiting.components)).toMatch(/"label":"Confirm \(US\$ \d+\.\d\d\)"/);

    expect((await send(buttonClick(actionButtonId('cancel', jobId)))).body).toEqual({ type: 6 });
    const cancelled = await statusMatching(payload, /^Not made:/);
    expect(cancelled.content).toContain('Nothing was charged');
    expect(cancelled.components).toEqual([]);
    expect((await t.app.service.getJob(jobId))?.state).toBe('cancelled');
    expect(t.app.emulator?.stats().createsByExternalId[jobId]).toBeUndefined();
  });

  it('submits a pro video once the requester confirms its price', async () => {
    const payload = request('pro');
    await send(payload);
    const jobId = jobOf(payload);
    await statusMatching(payload, /^Estimated cost US\$/);
    await send(buttonClick(actionButtonId('confirm', jobId)));
    await statusMatching(payload, /^Done:/m);
    expect(t.app.emulator?.stats().createsByExternalId[jobId]).toBe(1);
    expect(
      fake.callsTo('POST', /\/messages$/).some((c) => c.json?.nonce === jobId && c.files.length === 1),
    ).toBe(true);
  });
});
