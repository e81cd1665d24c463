// SIGTERM drain with the real bot process in Discord HTTP interactions mode: 100 Ed25519-signed
// interactions are in flight when SIGTERM arrives. Each one either got its acknowledgement, a clean 503,
// or a refused connection (never a 500, never a hang); the bot exits 0 inside its 10 s budget; and a job
// accepted before the signal is delivered by the next process over the same data folder.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KlingEmulator } from '../src/kling/emulator/server.js';
import { jobIdFor } from '../src/util/ids.js';
import { API_KEY, startTestEmulator } from './emulator-helpers.js';
import { FakeDiscord } from './fakes/fake-discord.js';
import {
  APP_ID,
  attachment,
  makeKeys,
  messageCommand,
  signatureHeaders,
  slashCommand,
} from './fakes/fake-discord-payloads.js';
import { type BotProcess, botTestEnv, startBot } from './helpers/bot-process.js';
import { SAMPLE_FACE, SAMPLE_VOICE } from './helpers/test-app.js';

const keys = makeKeys();
const face = readFileSync(SAMPLE_FACE);
const voice = readFileSync(SAMPLE_VOICE);
/** Long enough that the first process cannot finish the render before its SIGTERM. */
const PROCESSING_MS = 4_000;

let root: string;
let fake: FakeDiscord;
let emulator: KlingEmulator;
const bots: BotProcess[] = [];
// One connection per request, so requests really are concurrent and a drained socket is never reused.
const agent = new Agent({ connections: 200, pipelining: 1 });

type Outcome = { kind: 'status'; status: number; type?: number } | { kind: 'refused'; code: string };

/** POSTs one signed interaction; a hang becomes a timeout error that fails the test. */
async function post(url: string, payload: { token: string; channel_id: string }): Promise<Outcome> {
  fake.trackInteraction(payload.token, payload.channel_id);
  const body = JSON.stringify(payload);
  try {
    const res = await request(`${url}/discord/interactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signatureHeaders(keys, body) },
      body,
      dispatcher: agent,
      headersTimeout: 9_000,
      bodyTimeout: 9_000,
    });
    const text = await res.body.text();
    const json = text ? (JSON.parse(text) as { type?: number }) : {};
    return { kind: 'status', status: res.statusCode, ...(json.type ? { type: json.type } : {}) };
  } catch (error) {
    const code = (error as { code?: string }).code ?? String(error);
    if (/ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET|EPIPE/.test(code)) return { kind: 'refused', code };
    throw error;
  }
}

function voiceOnlyCommand() {
  const url = fake.addFile('voice-message.ogg', voice, 'audio/ogg');
  return messageCommand({
    attachments: [
      attachment({ url, filename: 'voice-message.ogg', contentType: 'audio/ogg', size: voice.length }),
    ],
    voiceMessage: true,
  });
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'shutdown-'));
  fake = await FakeDiscord.start();
  emulator = await startTestEmulator(root, { submittedMs: 200, processingMs: PROCESSING_MS });
});

afterAll(async () => {
  for (const bot of bots) if (bot.child.exitCode === null) await bot.kill();
  await agent.close();
  await emulator?.close();
  await fake?.close();
  await rm(root, { recursive: true, force: true });
});

describe('SIGTERM drain', () => {
  it('acknowledges what arrived, refuses the rest cleanly, exits 0 in < 10 s, and resumes the job', async ({
    annotate,
  }) => {
    const env = botTestEnv(
      root,
      { url: emulator.url, apiKey: API_KEY },
      {
        CONSENT_REQUIRED: 'false',
        DISCORD_TOKEN: fake.botToken,
        DISCORD_APPLICATION_ID: APP_ID,
        DISCORD_PUBLIC_KEY: keys.publicKeyHex,
        DISCORD_MODE: 'http',
        DISCORD_API_URL: fake.apiUrl,
      },
    );
    const first = startBot(env);
    bots.push(first);
    const url = String((await first.waitForLog('http server listening')).url);
    await first.waitForLog('bot ready');

    // A real job, accepted (acknowledged and recorded) before the signal.
    const job = slashCommand({
      image: attachment({
        url: fake.addFile('face.jpg', face, 'image/jpeg'),
        filename: 'face.jpg',
        contentType: 'image/jpeg',
        size: face.length,
      }),
      voice: attachment({
        url: fake.addFile('voice.ogg', voice, 'audio/ogg'),
        filename: 'voice.ogg',
        contentType: 'audio/ogg',
        size: voice.length,
      }),
    });
    expect(await post(url, job)).toEqual({ kind: 'status', status: 200, type: 5 });
    const jobId = jobIdFor(`discord:${job.id}`);
    expect((await first.waitForLog('job accepted')).jobId).toBe(jobId);

    // 100 interactions at once; SIGTERM once ten are answered, mid-burst, with the rest in flight.
    let signalledAt = 0;
    let answered = 0;
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, () =>
        post(url, voiceOnlyCommand()).then((outcome) => {
          answered += 1;
          if (answered === 10) {
            signalledAt = performance.now();
            first.child.kill('SIGTERM');
          }
          return outcome;
        }),
      ),
    );
    const code = await first.exited;
    const exitMs = performance.now() - signalledAt;

    const acked = outcomes.filter((o) => o.kind === 'status' && o.status === 200);
    const refused503 = outcomes.filter((o) => o.kind === 'status' && o.status === 503);
    const refusedConnections = outcomes.filter((o) => o.kind === 'refused');
    expect(acked.length + refused503.length + refusedConnections.length).toBe(100);
    // Every acknowledgement is the real answer: the modal asking for the missing photo.
    expect(acked.every((o) => o.kind === 'status' && o.type === 9)).toBe(true);
    const drained = await first.waitForLog('http server drained');
    // The server finished every request it had started, and its 503 count is what the clients saw.
    expect(drained.unfinished).toBe(0);
    expect(drained.refused).toBe(refused503.length);
    expect(acked.length).toBeGreaterThan(0);
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(10_000);
    expect(first.logs.some((l) => l.msg === 'shutdown budget exceeded, exiting now')).toBe(false);
    await annotate(
      `acked ${acked.length}, 503 ${refused503.length}, refused ${refusedConnections.length} ` +
        `(${[...new Set(refusedConnections.map((o) => (o.kind === 'refused' ? o.code : '')))].join('/')}), ` +
        `drain ${drained.ms} ms (in flight ${drained.inFlight}), exit ${Math.round(exitMs)} ms`,
    );
    const isVideo = (c: { method: string; json?: Record<string, unknown> }) =>
      c.method === 'POST' && c.json?.nonce === jobId;
    expect(fake.calls.filter(isVideo)).toHaveLength(0);

    // The next process over the same data folder picks the job up and delivers it once.
    const second = startBot(env);
    bots.push(second);
    await second.waitForLog('bot ready');
    await fake.waitFor(isVideo, 45_000);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(fake.calls.filter(isVideo)).toHaveLength(1);
    expect(emulator.stats().createsByExternalId[jobId]).toBe(1);
  }, 90_000);
});
