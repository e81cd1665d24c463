// Fault injection, inbound: forged, replayed, re-delivered and oversized requests on every route of
// the one HTTP server (Discord interactions, Slack events, Kling callbacks, media links), against a
// real app with both chat adapters (helpers/inbound-harness.ts). Every refusal is checked twice: the
// HTTP status, and an unchanged world (no job record, no provider call, no platform call).
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERACTION_MAX_BYTES } from '../adapters/discord/http-endpoint.js';
import { SLACK_BODY_LIMIT_BYTES } from '../adapters/slack/http-receiver.js';
import { CALLBACK_MAX_BYTES } from '../src/http/core-routes.js';
import { jobIdFor, randomToken } from '../src/util/ids.js';
import {
  attachment,
  makeKeys,
  postInteraction,
  signatureHeaders,
  slashCommand,
} from './fakes/fake-discord-payloads.js';
import {
  fileValue,
  postToSlackEvents,
  SIGNING_SECRET,
  type SignedPost,
  sign,
  slashCommand as slackSlashCommand,
  triggerId,
  viewSubmission,
} from './fakes/fake-slack-requests.js';
import { ENGINES, engineEnv } from './helpers/engines.js';
import {
  avatarModal,
  type InboundHarness,
  settle,
  startInboundHarness,
  type World,
} from './helpers/inbound-harness.js';
import { SAMPLE_FACE, SAMPLE_VOICE } from './helpers/test-app.js';

const face = readFileSync(SAMPLE_FACE);
const voice = readFileSync(SAMPLE_VOICE);
describe.each(ENGINES)('fault injection, inbound ($name engine)', (engine) => {
  let ib: InboundHarness;

  beforeAll(async () => {
    ib = await startInboundHarness(await engineEnv(engine));
  }, 30_000);
  afterAll(async () => {
    await ib?.close();
    await engine.teardown?.();
  });

  const nowSeconds = () => Math.floor(Date.now() / 1000);

  /** POSTs bytes as given (a stream is sent chunked, with no Content-Length). */
  async function post(route: string, body: string | Readable, headers: Record<string, string> = {}) {
    const res = await request(`${ib.url}${route}`, { method: 'POST', body, headers });
    return { status: res.statusCode, text: await res.body.text() };
  }

  /** GET with the path sent byte for byte (undici and fetch would normalise `..` segments away). */
  function rawGet(rawPath: string): Promise<{ status: number; text: string }> {
    const { hostname, port } = new URL(ib.url);
    return new Promise((resolve, reject) => {
      const req = http.request({ host: hostname, port, path: rawPath, method: 'GET' }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  const chunked = (text: string) =>
    Readable.from(text.match(/[\s\S]{1,65536}/g)?.map((part) => Buffer.from(part)) ?? []);

  async function expectNothingStored(before: World, jobIds: string[] = []): Promise<void> {
    await settle();
    expect(await ib.world()).toEqual(before);
    for (const id of jobIds) expect(await ib.h.app.service.getJob(id)).toBeUndefined();
  }

  describe('Discord interactions: forged, replayed, oversized, re-delivered', () => {
    const endpoint = () => `${ib.url}/discord/interactions`;
    const file = (name: string, bytes: Buffer, type: string) =>
      attachment({
        url: ib.discord.addFile(name, bytes, type),
        filename: name,
        contentType: type,
        size: bytes.length,
      });
    const command = () => {
      const payload = slashCommand({
        image: file('face.jpg', face, 'image/jpeg'),
        voice: file('voice.ogg', voice, 'audio/ogg'),
      });
      ib.discord.trackInteraction(payload.token, payload.channel_id);
      return payload;
    };
    const jobOf = (payload: { id: string }) => jobIdFor(`discord:${payload.id}`);
    type Payload = ReturnType<typeof command>;

    const forgeries: Array<[string, (p: Payload) => Promise<{ status: number }>]> = [
      ['signed with another key', (p) => postInteraction(endpoint(), p, ib.keys, { signWith: makeKeys() })],
      [
        'changed after signing (another channel)',
        (p) => postInteraction(endpoint(), p, ib.keys, { body: JSON.stringify({ ...p, channel_id: '1' }) }),
      ],
      [
        'a replay of a request signed 10 minutes ago',
        (p) => postInteraction(endpoint(), p, ib.keys, { timestamp: nowSeconds() - 600 }),
      ],
      [
        'dated 10 minutes ahead',
        (p) => postInteraction(endpoint(), p, ib.keys, { timestamp: nowSeconds() + 600 }),
      ],
      ['without signature headers', (p) => post('/discord/interactions', JSON.stringify(p))],
      [
        'with a malformed signature',
        (p) =>
          post('/discord/interactions', JSON.stringify(p), {
            'x-signature-ed25519': 'zz',
            'x-signature-timestamp': String(nowSeconds()),
          }),
      ],
    ];

    it.each(forgeries)(
      'refuses an interaction %s: 401, nothing stored, fetched or posted',
      async (_name, send) => {
        const before = await ib.world();
        const payload = command();
        expect((await send(payload)).status).toBe(401);
        await expectNothingStored(before, [jobOf(payload)]);
      },
    );

    it.each(['null', '[]', '"x"', '{}', '{"type":2}', '{"type":2,"data":null}'])(
      'answers a signed body that is no interaction (%s) with 400, storing nothing',
      async (body) => {
        const before = await ib.world();
        const headers = { 'content-type': 'application/json', ...signatureHeaders(ib.keys, body) };
        expect((await post('/discord/interactions', body, headers)).status).toBe(400);
        await expectNothingStored(before);
      },
    );

    it('refuses a validly signed body over the cap with 413, declared or chunked', async () => {
      const before = await ib.world();
      const payload = command();
      const big = JSON.stringify({ ...payload, padding: 'x'.repeat(INTERACTION_MAX_BYTES) });
      const headers = { 'content-type': 'application/json', ...signatureHeaders(ib.keys, big) };
      expect((await post('/discord/interactions', big, headers)).status).toBe(413);
      expect((await post('/discord/interactions', chunked(big), headers)).status).toBe(413);
      await expectNothingStored(before, [jobOf(payload)]);
    });

    it('turns re-deliveries of a recent signed interaction into one job, one create, one post', async () => {
      const before = await ib.world();
      const payload = command();
      const body = JSON.stringify(payload);
      const headers = { 'content-type': 'application/json', ...signatureHeaders(ib.keys, body) };
      const first = await post('/discord/interactions', body, headers);
      const again = await post('/discord/interactions', body, headers);
      expect([first, again].map((r) => [r.status, JSON.parse(r.text)])).toEqual([
        [200, { type: 5 }],
        [200, { type: 5 }],
      ]);
      const jobId = jobOf(payload);
      expect((await ib.waitForEnd(jobId)).state).toBe('delivered');
      // The same bytes and signature once more, after the video was posted.
      expect((await post('/discord/interactions', body, headers)).status).toBe(200);
      await settle(500);
      const after = await ib.world();
      expect(after.inserts).toBe(before.inserts + 1);
      if (typeof before.jobs === 'number') expect(after.jobs).toBe(before.jobs + 1);
      expect(after.createIds).toEqual([...before.createIds, jobId].sort());
      expect(ib.h.app.emulator?.stats().createsByExternalId[jobId]).toBe(1);
      expect(ib.discord.calls.filter((c) => c.method === 'POST' && c.json?.nonce === jobId)).toHaveLength(1);
    });
  });

  describe('Slack events and commands: forged, replayed, oversized, retried', () => {
    const view = avatarModal('C0FAULT');
    let views = 0;
    const submission = () => {
      views += 1;
      const viewId = `V0FAULT${String(views).padStart(4, '0')}`;
      const files = {
        ...fileValue(
          'image',
          ib.h.slack.hostFile({ name: 'face.jpg', mimetype: 'image/jpeg', filetype: 'jpg', bytes: face }),
        ),
        ...fileValue(
          'voice',
          ib.h.slack.hostFile({ name: 'voice.ogg', mimetype: 'audio/ogg', filetype: 'ogg', bytes: voice }),
        ),
      };
      return { post: viewSubmission(view, files, { viewId }), jobId: jobIdFor(`slack:view:${viewId}`) };
    };
    const headersFor = (p: SignedPost, timestamp = nowSeconds()) => ({
      'content-type': p.contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': sign(SIGNING_SECRET, timestamp, p.body),
    });
    const without = (headers: Record<string, string>, ...names: string[]) =>
      Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));

    const forgeries: Array<[string, (p: SignedPost) => Promise<{ status: number }>]> = [
      [
        'an HMAC made with the wrong secret',
        (p) => postToSlackEvents(ib.url, p, { secret: 'not-the-secret' }),
      ],
      [
        'a replay signed 6 minutes ago',
        (p) => postToSlackEvents(ib.url, p, { timestamp: nowSeconds() - 360 }),
      ],
      ['dated 6 minutes ahead', (p) => postToSlackEvents(ib.url, p, { timestamp: nowSeconds() + 360 })],
      ['a malformed signature', (p) => postToSlackEvents(ib.url, p, { signature: 'v0=zz' })],
      [
        'no signature header',
        (p) => post('/slack/events', p.body, without(headersFor(p), 'x-slack-signature')),
      ],
      [
        'no timestamp header',
        (p) => post('/slack/events', p.body, without(headersFor(p), 'x-slack-request-timestamp')),
      ],
      ['no Slack headers at all', (p) => post('/slack/events', p.body, { 'content-type': p.contentType })],
    ];

    it.each(forgeries)('refuses a modal submission with %s: 401, no job, no post', async (_name, send) => {
      const before = await ib.world();
      const { post: forged, jobId } = submission();
      expect((await send(forged)).status).toBe(401);
      await expectNothingStored(before, [jobId]);
    });

    it.each(forgeries)('refuses a slash command with %s: 401, no modal opened', async (_name, send) => {
      const before = await ib.world();
      expect((await send(slackSlashCommand({ trigger: triggerId() }))).status).toBe(401);
      await expectNothingStored(before);
    });

    it('refuses a signed body over 1 MB with 413, declared or chunked', async () => {
      const before = await ib.world();
      const { post: base, jobId } = submission();
      const big: SignedPost = { ...base, body: `${base.body}&pad=${'x'.repeat(SLACK_BODY_LIMIT_BYTES)}` };
      expect((await post('/slack/events', big.body, headersFor(big))).status).toBe(413);
      expect((await post('/slack/events', chunked(big.body), headersFor(big))).status).toBe(413);
      await expectNothingStored(before, [jobId]);
    });

    it('starts one job for a submission Slack re-delivers with x-slack-retry-num', async () => {
      const before = await ib.world();
      const { post: signed, jobId } = submission();
      expect((await postToSlackEvents(ib.url, signed)).status).toBe(200);
      await waitForJobRecord(jobId);
      expect((await postToSlackEvents(ib.url, signed, { retryNum: 1 })).status).toBe(200);
      expect((await ib.waitForEnd(jobId)).state).toBe('delivered');
      expect((await postToSlackEvents(ib.url, signed, { retryNum: 2 })).status).toBe(200);
      await settle(500);
      const after = await ib.world();
      expect(after.inserts).toBe(before.inserts + 1);
      if (typeof before.jobs === 'number') expect(after.jobs).toBe(before.jobs + 1);
      expect(after.createIds).toEqual([...before.createIds, jobId].sort());
      expect(ib.h.app.emulator?.stats().createsByExternalId[jobId]).toBe(1);
      const statusPosts = ib.h.slack
        .callsOf('chat.postMessage')
        .filter((c) => JSON.stringify(c.args.blocks ?? '').includes(jobId));
      expect(statusPosts).toHaveLength(1);
    });

    async function waitForJobRecord(jobId: string): Promise<void> {
      const deadline = Date.now() + 10_000;
      while (!(await ib.h.app.service.getJob(jobId))) {
        if (Date.now() > deadline) throw new Error(`no job ${jobId}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  });

  describe('Kling callbacks: unknown, malformed, oversized', () => {
    it.each([
      ['an unknown token', randomToken()],
      ['a too short token', 'abc'],
      ['a too long token', 'a'.repeat(65)],
      ['a token with forbidden characters', 'aaaaaaaaaaaaaaaa%24%7B%7D'],
      ['an encoded path traversal', '..%2F..%2Fmedia%2Fx'],
      ['broken percent-encoding', '%E0%A4%A'],
    ])('answers a callback with %s with 404 and polls nothing', async (_name, token) => {
      const before = await ib.world();
      const res = await post(`/kling/callback/${token}`, JSON.stringify({ task_status: 'succeed' }), {
        'content-type': 'application/json',
      });
      expect(res.status).toBe(404);
      await expectNothingStored(before);
    });

    it('refuses a callback body over 64 kB with 413, declared or chunked', async () => {
      const before = await ib.world();
      const big = JSON.stringify({ task_status: 'succeed', padding: 'x'.repeat(CALLBACK_MAX_BYTES) });
      const route = `/kling/callback/${randomToken()}`;
      expect((await post(route, big, { 'content-type': 'application/json' })).status).toBe(413);
      expect((await post(route, chunked(big), { 'content-type': 'application/json' })).status).toBe(413);
      await expectNothingStored(before);
    });
  });

  describe('media links: unknown, malformed, traversal, expired', () => {
    it.each([
      ['an unknown token', `/media/${randomToken()}`],
      ['a malformed token', '/media/not-a-token'],
      ['an encoded path traversal', '/media/..%2F..%2Fetc%2Fpasswd'],
      ['a double-encoded path traversal', '/media/%252e%252e%252f%252e%252e%252fetc%252fpasswd'],
      ['a raw path traversal', '/media/../../../../etc/passwd'],
      ['a dot-segment token', '/media/%2e%2e'],
      ['broken percent-encoding', '/media/%E0%A4%A'],
    ])('answers %s with 404 and no file content', async (_name, rawPath) => {
      const before = await ib.world();
      const res = await rawGet(rawPath);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('root:');
      await expectNothingStored(before);
    });

    it('serves a link until it expires, then 404; a link whose file is gone is 404 too', async () => {
      const before = await ib.world();
      const file = path.join(ib.h.test.dir, 'media-probe.mp4');
      await writeFile(file, 'not really a video');
      const token = randomToken();
      const entry = { path: file, contentType: 'video/mp4', jobId: 'av-none', expiresAt: Date.now() + 1_000 };
      await ib.h.app.store.putMedia(token, entry);
      expect(await rawGet(`/media/${token}`)).toEqual({ status: 200, text: 'not really a video' });
      await new Promise((r) => setTimeout(r, 1_200));
      expect((await rawGet(`/media/${token}`)).status).toBe(404);

      const gone = randomToken();
      await ib.h.app.store.putMedia(gone, { ...entry, expiresAt: Date.now() + 60_000 });
      await rm(file);
      expect((await rawGet(`/media/${gone}`)).status).toBe(404);
      await expectNothingStored(before);
    });
  });
});
