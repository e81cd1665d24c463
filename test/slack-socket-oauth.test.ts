// Start-up and the other ways to connect: a rejected bot token, Socket Mode wiring (same listeners, no
// HTTP route, no real websocket) and multi-workspace OAuth (install, tokens, uninstall).
import { type App as BoltApp, SocketModeReceiver } from '@slack/bolt';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSlackAdapter } from '../adapters/slack/index.js';
import { MemoryKeyValueStore } from '../adapters/slack/kv.js';
import { FakeSlack } from './fakes/fake-slack.js';
import { type SlackHarness, startSlackHarness } from './fakes/fake-slack-harness.js';
import { postToSlackEvents, SIGNING_SECRET, slashCommand, triggerId } from './fakes/fake-slack-requests.js';
import { startTestApp } from './helpers/test-app.js';

/** Feeds a Socket Mode envelope to the receiver the way its websocket client would. */
async function socketEvent(
  bolt: BoltApp,
  body: Record<string, unknown>,
  retryNum?: number,
): Promise<unknown[]> {
  const receiver = Reflect.get(bolt, 'receiver') as SocketModeReceiver;
  const acks: unknown[] = [];
  const handlers = receiver.client.listeners('slack_event') as Array<(args: unknown) => Promise<void>>;
  await Promise.all(
    handlers.map((handler) =>
      handler({
        ack: async (response: unknown) => {
          acks.push(response ?? null);
        },
        envelope_id: `env-${Math.random()}`,
        body,
        ...(retryNum ? { retry_num: retryNum, retry_reason: 'timeout' } : {}),
      }),
    ),
  );
  return acks;
}

const commandBody = (trigger: string, team = 'T0FAKE') =>
  Object.fromEntries(new URLSearchParams(slashCommand({ trigger, team }).body));

describe('Slack start-up', () => {
  it('refuses to start with a token Slack rejects, without repeating the token', async () => {
    const slack = await new FakeSlack().start();
    const test = await startTestApp({
      env: {
        SLACK_BOT_TOKEN: 'xoxb-revoked-123456',
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
      },
    });
    try {
      const config = test.app.config.slack;
      if (!config) throw new Error('no Slack config');
      const error = (await buildSlackAdapter(test.app, config).catch((e: unknown) => e)) as Error;
      expect(error.message).toBe('Slack rejected SLACK_BOT_TOKEN (auth.test: invalid_auth)');
      expect(slack.callsOf('auth.test')[0]?.token).toBe('xoxb-revoked-123456');
    } finally {
      await test.close();
      await slack.close();
    }
  });
});

describe('Slack Socket Mode', () => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ env: { SLACK_APP_TOKEN: 'xapp-1-A0FAKE-1-socketsecret' }, start: false });
  });
  afterAll(async () => {
    await h.close();
  });

  it('builds Bolt with its Socket Mode receiver and registers no HTTP route', async () => {
    expect(h.built.receiver).toBeUndefined();
    expect(Reflect.get(h.built.bolt, 'receiver')).toBeInstanceOf(SocketModeReceiver);
    const res = await postToSlackEvents(h.url, slashCommand({}));
    expect(res.status).toBe(404);
  });

  it('acks a slash command envelope and opens the modal through the same listeners', async () => {
    const trigger = triggerId();
    const acks = await socketEvent(h.built.bolt, commandBody(trigger));
    expect(acks).toEqual([null]);
    const open = await h.slack.waitFor('views.open', (c) => c.args.trigger_id === trigger);
    expect(open.token).toBe(h.slack.botToken);
  });

  it('acks a retried envelope but opens no second modal', async () => {
    const trigger = triggerId();
    await socketEvent(h.built.bolt, commandBody(trigger));
    const acks = await socketEvent(h.built.bolt, commandBody(trigger), 1);
    expect(acks).toEqual([null]);
    expect(h.slack.callsOf('views.open').filter((c) => c.args.trigger_id === trigger)).toHaveLength(1);
  });
});

describe('Slack OAuth installs', () => {
  let h: SlackHarness;
  const kv = new MemoryKeyValueStore();

  beforeAll(async () => {
    h = await startSlackHarness({
      publicUrl: true,
      env: {
        SLACK_BOT_TOKEN: '',
        SLACK_CLIENT_ID: '1234.5678',
        SLACK_CLIENT_SECRET: 'client-secret-abcdef',
        SLACK_STATE_SECRET: 'state-secret-abcdef',
      },
      adapter: { kv },
    });
  });
  afterAll(async () => {
    await h.close();
  });

  let installedTeam = '';
  let installedToken = '';

  it('installs through /slack/install and /slack/oauth_redirect and stores the workspace', async () => {
    const page = await request(`${h.url}/slack/install`);
    const html = await page.body.text();
    expect(page.statusCode).toBe(200);
    const authorizeUrl = new URL((/<a href="([^"]+)"/.exec(html)?.[1] ?? '').replace(/&amp;/g, '&'));
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe('https://slack.com/oauth/v2/authorize');
    expect(authorizeUrl.searchParams.get('scope')).toBe(
      'commands,chat:write,chat:write.public,files:read,files:write,users:read',
    );
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(
      `${h.app.config.http.publicUrl}/slack/oauth_redirect`,
    );
    const state = authorizeUrl.searchParams.get('state') ?? '';
    const cookie = String(page.headers['set-cookie'] ?? '').split(';')[0] ?? '';

    const forged = await request(`${h.url}/slack/oauth_redirect?code=abc&state=forged`, {
      headers: { cookie },
    });
    await forged.body.dump();
    expect(h.slack.callsOf('oauth.v2.access')).toHaveLength(0);

    const done = await request(`${h.url}/slack/oauth_redirect?code=abc&state=${encodeURIComponent(state)}`, {
      headers: { cookie },
    });
    await done.body.dump();
    expect(done.statusCode).toBe(200);
    expect(h.slack.callsOf('oauth.v2.access')).toHaveLength(1);
    const [token, identity] = [...h.slack.tokens].find(([t]) => t.startsWith('xoxb-installed-')) ?? [];
    installedToken = token ?? '';
    installedTeam = identity?.team ?? '';
    expect(await kv.get(`installation:team:${installedTeam}`)).toMatchObject({
      bot: { token: installedToken },
    });
  });

  it('answers an installed workspace with its own bot token', async () => {
    const trigger = triggerId();
    expect((await postToSlackEvents(h.url, slashCommand({ trigger, team: installedTeam }))).status).toBe(200);
    const open = await h.slack.waitFor('views.open', (c) => c.args.trigger_id === trigger);
    expect(open.token).toBe(installedToken);
  });

  it('ignores a workspace that never installed the app', async () => {
    const trigger = triggerId();
    expect((await postToSlackEvents(h.url, slashCommand({ trigger, team: 'T0STRANGER' }))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.slack.callsOf('views.open').filter((c) => c.args.trigger_id === trigger)).toEqual([]);
  });

  it('forgets the workspace when Slack reports the app uninstalled', async () => {
    expect(installedTeam).not.toBe('');
    expect(await kv.get(`installation:team:${installedTeam}`)).toBeDefined();
    const res = await postToSlackEvents(h.url, {
      body: JSON.stringify({
        type: 'event_callback',
        team_id: installedTeam,
        api_app_id: 'A0FAKE',
        event_id: 'Ev0UNINSTALL',
        event_time: Math.floor(Date.now() / 1000),
        event: { type: 'app_uninstalled' },
        authorizations: [
          { team_id: installedTeam, is_enterprise_install: false, user_id: 'UBOT2', is_bot: true },
        ],
      }),
      contentType: 'application/json',
    });
    expect(res.status).toBe(200);
    await expect.poll(() => kv.get(`installation:team:${installedTeam}`)).toBeUndefined();
  });
});
