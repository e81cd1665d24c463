// HTTP mode at POST /slack/events on the core's server, driven with real HMAC-signed requests shaped
// like Slack's: signature and freshness checks, Slack's handshakes, fast acks, retries, size caps.
import { Writable } from 'node:stream';
import pino from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIdFor } from '../src/util/ids.js';
import { type SlackHarness, startSlackHarness } from './fakes/fake-slack-harness.js';
import {
  globalShortcut,
  postToSlackEvents,
  SIGNING_SECRET,
  sign,
  slashCommand,
  triggerId,
  viewSubmission,
} from './fakes/fake-slack-requests.js';

let h: SlackHarness;
const logLines: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  h = await startSlackHarness({ logger: pino({ level: 'debug' }, sink) });
});
afterAll(async () => {
  await h.close();
});

const viewsOpenFor = (trigger: string) =>
  h.slack.callsOf('views.open').filter((c) => c.args.trigger_id === trigger);

describe('Slack HTTP receiver', () => {
  it('checks the bot token once at start-up with auth.test', () => {
    expect(h.slack.callsOf('auth.test')).toHaveLength(1);
  });

  it('acks a signed slash command with an empty 200 and opens the modal with its trigger', async () => {
    const trigger = triggerId();
    const res = await postToSlackEvents(h.url, slashCommand({ trigger, channel: 'C0ROOM' }));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(res.ms).toBeLessThan(3_000);
    const call = await h.slack.waitFor('views.open', (c) => c.args.trigger_id === trigger);
    expect(call.token).toBe(h.slack.botToken);
    const view = call.args.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe('avatar_modal');
    expect(JSON.parse(view.private_metadata)).toEqual({ v: 1, channel: 'C0ROOM' });
  });

  it('answers `/avatar help` in the ack itself, privately, without a modal', async () => {
    const trigger = triggerId();
    const res = await postToSlackEvents(h.url, slashCommand({ trigger, text: 'help' }));
    expect(res.status).toBe(200);
    expect(res.text).toContain('Make talking avatar');
    expect(viewsOpenFor(trigger)).toEqual([]);
  });

  it('opens a modal with a channel picker for the global shortcut', async () => {
    const trigger = triggerId();
    expect((await postToSlackEvents(h.url, globalShortcut({ trigger }))).status).toBe(200);
    const call = await h.slack.waitFor('views.open', (c) => c.args.trigger_id === trigger);
    expect(JSON.stringify(call.args.view)).toContain('conversations_select');
  });

  it('opens one modal for a slash command Slack delivers twice', async () => {
    const trigger = triggerId();
    const post = slashCommand({ trigger });
    const [first, retry] = await Promise.all([
      postToSlackEvents(h.url, post),
      postToSlackEvents(h.url, post, { retryNum: 1 }),
    ]);
    expect([first.status, retry.status]).toEqual([200, 200]);
    await h.slack.waitFor('views.open', (c) => c.args.trigger_id === trigger);
    await new Promise((r) => setTimeout(r, 200));
    expect(viewsOpenFor(trigger)).toHaveLength(1);
  });

  it.each([
    ['a wrong secret', { secret: 'not-the-secret' }],
    ['a stale timestamp', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }],
    ['a timestamp from the future', { timestamp: Math.floor(Date.now() / 1000) + 6 * 60 }],
    ['a malformed signature header', { signature: 'v0=zz' }],
  ])('refuses a slash command with %s: 401 and no modal', async (_case, options) => {
    const trigger = triggerId();
    const res = await postToSlackEvents(h.url, slashCommand({ trigger }), options);
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(viewsOpenFor(trigger)).toEqual([]);
  });

  it('refuses a forged modal submission: 401, no message posted, no job stored', async () => {
    const viewId = 'V0FORGED01';
    const posts = h.slack.callsOf('chat.postMessage').length;
    const post = viewSubmission(
      { blocks: [], private_metadata: '{"v":1,"channel":"C1"}', callback_id: 'avatar_modal' },
      {},
      { viewId },
    );
    const stale = Math.floor(Date.now() / 1000) - 301;
    const res = await postToSlackEvents(h.url, post, {
      timestamp: stale,
      signature: sign(SIGNING_SECRET, stale, post.body),
    });
    expect(res.status).toBe(401);
    expect(h.slack.callsOf('chat.postMessage')).toHaveLength(posts);
    expect(await h.app.service.getJob(jobIdFor(`slack:view:${viewId}`))).toBeUndefined();
  });

  it('answers ssl_check and url_verification itself', async () => {
    const ssl = await postToSlackEvents(h.url, {
      body: 'ssl_check=1&token=x',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(ssl).toMatchObject({ status: 200, text: '' });
    const challenge = await postToSlackEvents(h.url, {
      body: JSON.stringify({ type: 'url_verification', token: 'x', challenge: 'c-123' }),
      contentType: 'application/json',
    });
    expect(challenge.status).toBe(200);
    expect(JSON.parse(challenge.text)).toEqual({ challenge: 'c-123' });
  });

  it('answers an event nobody listens for at once instead of letting Slack time out', async () => {
    const res = await postToSlackEvents(h.url, {
      body: JSON.stringify({
        type: 'event_callback',
        team_id: 'T0FAKE',
        event_id: 'Ev1',
        event: { type: 'reaction_added', user: 'U1' },
      }),
      contentType: 'application/json',
    });
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(1_000);
  });

  it('refuses bodies over 1 MB with 413 and malformed payloads with 400', async () => {
    const big = await postToSlackEvents(h.url, {
      body: `text=${'x'.repeat(1_100_000)}`,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(big.status).toBe(413);
    const malformed = await postToSlackEvents(h.url, {
      body: 'payload=%7Bnot-json',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(malformed.status).toBe(400);
    // Signed, valid JSON, but without the parts Bolt reads: refused, not a 500 from inside Bolt.
    for (const payload of [{ type: 'view_submission' }, { type: 'block_actions', actions: null }]) {
      const hollow = await postToSlackEvents(h.url, {
        body: `payload=${encodeURIComponent(JSON.stringify(payload))}`,
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(hollow.status).toBe(400);
    }
  });

  it('accepts only POST on the events path', async () => {
    const res = await request(`${h.url}/slack/events`, { method: 'GET' });
    await res.body.dump();
    expect(res.statusCode).toBe(404);
  });

  it('never writes the bot token or the signing secret to the logs', () => {
    const all = logLines.join('');
    expect(all).toContain('slack request refused: bad signature');
    expect(all).not.toContain(h.slack.botToken);
    expect(all).not.toContain(SIGNING_SECRET);
  });
});
