// Gateway mode without a gateway: the Client is never logged in; a raw INTERACTION_CREATE is emitted on
// its WebSocket manager exactly as discord.js would, and the answers are observed at the fake REST API.
import { readFileSync } from 'node:fs';
import { GatewayDispatchEvents, GatewayIntentBits, IntentsBitField } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachGateway } from '../adapters/discord/gateway.js';
import { buildDiscord, type DiscordParts } from '../adapters/discord/index.js';
import { jobIdFor } from '../src/util/ids.js';
import { FakeDiscord } from './fakes/fake-discord.js';
import { APP_ID, attachment, messageCommand, slashCommand } from './fakes/fake-discord-payloads.js';
import { SAMPLE_FACE, SAMPLE_VOICE, startTestApp, type TestApp } from './helpers/test-app.js';

let fake: FakeDiscord;
let t: TestApp;
let parts: DiscordParts;

function emit(payload: { token: string; channel_id: string }) {
  fake.trackInteraction(payload.token, payload.channel_id);
  parts.client?.ws.emit(GatewayDispatchEvents.InteractionCreate, payload, 0);
}

const callbacksOf = (payload: { id: string }) =>
  fake.calls.filter((c) => c.method === 'POST' && c.path.startsWith(`/interactions/${payload.id}/`));

beforeAll(async () => {
  fake = await FakeDiscord.start();
  t = await startTestApp({
    env: { DISCORD_TOKEN: fake.botToken, DISCORD_APPLICATION_ID: APP_ID, DISCORD_API_URL: fake.apiUrl },
  });
  const config = t.app.config.discord;
  if (!config) throw new Error('discord config missing');
  parts = buildDiscord(t.app, config, { statusIntervalMs: 100 });
  if (!parts.client) throw new Error('gateway mode should build a client');
  attachGateway(parts.client, parts.handler, parts.api, parts.logger);
});

afterAll(async () => {
  await parts?.client?.destroy();
  await parts?.handler.idle();
  parts?.adapter.close();
  await t?.close();
  await fake?.close();
});

describe('Discord gateway mode', () => {
  it('asks for no gateway intents at all and defaults to gateway mode', () => {
    expect(t.app.config.discord?.mode).toBe('gateway');
    const intents = new IntentsBitField(parts.client?.options.intents);
    expect(intents.bitfield).toBe(0);
    expect(intents.has(GatewayIntentBits.MessageContent)).toBe(false);
  });

  it('defers through the callback route and runs the job to a video in a thread', async () => {
    const face = readFileSync(SAMPLE_FACE);
    const voice = readFileSync(SAMPLE_VOICE);
    const payload = slashCommand({
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
    const started = Date.now();
    emit(payload);
    const callback = await fake.waitFor(
      (c) => c.path === `/interactions/${payload.id}/${payload.token}/callback`,
    );
    expect(callback.at - started).toBeLessThan(2_500);
    expect(callback.json).toEqual({ type: 5 });
    expect(callback.auth).toBe('none');

    const jobId = jobIdFor(`discord:${payload.id}`);
    await fake.waitFor((c) => c.method === 'POST' && c.json?.nonce === jobId);
    const status = fake.original(payload.token);
    expect(fake.threads.has(status?.id ?? '')).toBe(true);
    expect((await t.app.service.getJob(jobId))?.replyTo.address).toMatchObject({ messageId: status?.id });
  });

  it('falls back to an ephemeral how-to when Discord refuses the modal', async () => {
    fake.refuseModals = true;
    try {
      const voice = readFileSync(SAMPLE_VOICE);
      const url = fake.addFile('voice-message.ogg', voice, 'audio/ogg');
      const command = messageCommand({
        attachments: [
          attachment({ url, filename: 'voice-message.ogg', contentType: 'audio/ogg', size: voice.length }),
        ],
        voiceMessage: true,
      });
      emit(command);
      await fake.waitFor((c) => c.path.startsWith(`/interactions/${command.id}/`) && c.status === 204);
      const answers = callbacksOf(command);
      expect(answers.map((c) => [c.json?.type, c.status])).toEqual([
        [9, 400],
        [4, 204],
      ]);
      expect(answers[1]?.json).toMatchObject({
        data: { flags: 64, content: expect.stringContaining('/avatar') },
      });
    } finally {
      fake.refuseModals = false;
    }
  });

  it("does not hold interaction-token calls to the bot's 50 requests/s (Discord exempts them)", async () => {
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 150 }, (_, n) =>
        parts.api.editOriginal(`burst-token-${n}`, { content: 'Got it.' }),
      ),
    );
    // 150 calls under a 50/s cap need at least two full one-second windows of waiting.
    expect(performance.now() - started).toBeLessThan(1_900);
    expect(fake.calls.filter((c) => c.path.includes('burst-token-')).length).toBe(150);
  });

  it('ignores a dispatch that is not an interaction', async () => {
    parts.client?.ws.emit(
      GatewayDispatchEvents.InteractionCreate,
      { id: 'x', token: 'bogus-token', type: 2 },
      0,
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.calls.filter((c) => c.path.includes('bogus-token'))).toEqual([]);
  });
});
