// The Slack adapter's front door: builds the Bolt app (HTTP mode on the core's server at
// POST /slack/events, or Socket Mode when SLACK_APP_TOKEN is set; one bot token or OAuth installs),
// registers the listeners and the ChatAdapter, and starts receiving.
import { type AppOptions, App as BoltApp, type Receiver, webApi } from '@slack/bolt';
import type { App } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import type { ChatAdapter } from '../../src/core/types.js';
import { boltLogger } from './bolt-logger.js';
import { registerButtons } from './buttons.js';
import { SlackClients, slackErrorCode, type TokenSource } from './clients.js';
import { registerControls } from './controls.js';
import { RecentKeys } from './dedupe.js';
import { DEFAULT_MAX_UPLOAD_BYTES } from './deliver.js';
import type { ListenerDeps } from './deps.js';
import { FileAccess } from './file-access.js';
import { CoreHttpReceiver } from './http-receiver.js';
import type { KeyValueStore } from './kv.js';
import { type OAuth, setupOAuth } from './oauth.js';
import { registerModalOpeners } from './open-modal.js';
import { SlackPeople } from './people.js';
import { SlackAdapter } from './slack-adapter.js';
import { StatusBoard } from './status-board.js';
import { registerSubmission } from './submission.js';

export type SlackConfig = NonNullable<Config['slack']>;

export interface SlackAdapterOptions {
  /** Installations, re-run replies, delivery markers; default: the job store's "slack" namespace. */
  kv?: KeyValueStore;
  /** Larger videos go out as a PUBLIC_URL link instead of an upload. */
  maxUploadBytes?: number;
  /** Minimum gap between two edits of one status message. */
  statusIntervalMs?: number;
  /** Extra Web API client options (tests shorten the retry policy). */
  clientOptions?: webApi.WebClientOptions;
}

export interface BuiltSlackAdapter {
  bolt: BoltApp;
  adapter: SlackAdapter;
  receiver: Receiver | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const DOUBLE_CLICK_WINDOW_MS = 5_000;

export async function startSlackAdapter(
  app: App,
  slack: SlackConfig,
  options: SlackAdapterOptions = {},
): Promise<{ adapter: ChatAdapter; stop(): Promise<void> }> {
  const built = await buildSlackAdapter(app, slack, options);
  await built.start();
  return { adapter: built.adapter, stop: built.stop };
}

/** Everything but connecting: Socket Mode tests inspect the app without opening a websocket. */
export async function buildSlackAdapter(
  app: App,
  slack: SlackConfig,
  options: SlackAdapterOptions = {},
): Promise<BuiltSlackAdapter> {
  const logger = app.logger.child({ component: 'slack' });
  const sdkLogger = boltLogger(logger, [
    slack.botToken,
    slack.signingSecret,
    slack.appToken,
    slack.oauth?.clientSecret,
    slack.oauth?.stateSecret,
  ]);
  const kv = options.kv ?? app.store.kv('slack');
  const clientOptions: webApi.WebClientOptions = {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl.endsWith('/') ? slack.apiUrl : `${slack.apiUrl}/` } : {}),
    logger: sdkLogger,
    timeout: 30_000,
    // The SDK's default keeps retrying for about 30 minutes; a status edit that late is useless.
    retryConfig: webApi.retryPolicies.fiveRetriesInFiveMinutes,
    ...options.clientOptions,
  };

  let oauth: OAuth | undefined;
  let tokenFor: TokenSource;
  let auth: Partial<AppOptions>;
  if (slack.oauth) {
    oauth = setupOAuth({
      ...slack.oauth,
      kv,
      server: app.server,
      publicUrl: app.config.http.publicUrl,
      clientOptions,
      boltLogger: sdkLogger,
      logger,
    });
    tokenFor = oauth.tokenFor;
    auth = { authorize: oauth.installer.authorize };
  } else {
    const token = slack.botToken;
    if (!token) throw new Error('SLACK_BOT_TOKEN is required without OAuth');
    const identity = await whoAmI(token, clientOptions);
    logger.info({ team: identity.teamId, botUserId: identity.botUserId }, 'slack bot token verified');
    tokenFor = async () => token;
    // Passing the ids keeps Bolt from calling auth.test again for every request.
    auth = { token, botId: identity.botId, botUserId: identity.botUserId, tokenVerificationEnabled: false };
  }

  let receiver: Receiver | undefined;
  if (!slack.appToken) {
    if (!slack.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required in HTTP mode');
    receiver = new CoreHttpReceiver({ server: app.server, signingSecret: slack.signingSecret, logger });
  }
  const bolt = new BoltApp({
    ...auth,
    logger: sdkLogger,
    // Bolt's conversation store keeps per-channel state we never read; skipping it saves work per request.
    convoStore: false,
    clientOptions,
    ...(slack.appToken ? { socketMode: true, appToken: slack.appToken } : { receiver }),
  });
  bolt.error(async (error) => {
    // A workspace without an installation is a visitor to turn away, not a fault of the bot.
    if (error.code === 'slack_bolt_authorization_error')
      logger.warn({ code: error.code }, 'slack request not authorised');
    else logger.error({ code: error.code, err: error }, 'slack listener failed');
  });

  const clients = new SlackClients(tokenFor, clientOptions);
  const files = new FileAccess(clients, slack.apiUrl, logger);
  const board = new StatusBoard({
    clients,
    kv,
    logger,
    ...(options.statusIntervalMs !== undefined ? { intervalMs: options.statusIntervalMs } : {}),
  });
  const adapter = new SlackAdapter(
    board,
    {
      clients,
      kv,
      createMediaLink: (jobId, file) => app.service.createMediaLink(jobId, file),
      apiUrl: slack.apiUrl,
      logger,
      maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
      linkTtlHours: Math.round(app.config.mediaLinkTtlMs / 3_600_000),
    },
    files,
  );
  const deps: ListenerDeps = {
    app,
    logger,
    clients,
    files,
    board,
    people: new SlackPeople(logger),
    recent: new RecentKeys(),
    clicks: new RecentKeys(DOUBLE_CLICK_WINDOW_MS),
  };
  registerModalOpeners(bolt, deps);
  registerSubmission(bolt, deps);
  registerButtons(bolt, deps);
  registerControls(bolt, deps);
  oauth?.listen(bolt);
  app.service.registerAdapter(adapter);

  return {
    bolt,
    adapter,
    receiver,
    async start() {
      await bolt.start();
      logger.info(
        { mode: slack.appToken ? 'socket' : 'http', oauth: !!slack.oauth },
        'slack adapter started',
      );
    },
    async stop() {
      await bolt.stop();
      await adapter.flush();
    },
  };
}

async function whoAmI(token: string, clientOptions: webApi.WebClientOptions) {
  try {
    const client = new webApi.WebClient(token, { ...clientOptions, retryConfig: { retries: 2 } });
    const result = await client.auth.test();
    return { botId: result.bot_id, botUserId: result.user_id, teamId: result.team_id };
  } catch (error) {
    // Slack's error code only: the token itself must not end up in the message.
    throw new Error(`Slack rejected SLACK_BOT_TOKEN (auth.test: ${slackErrorCode(error) ?? 'no answer'})`);
  }
}
