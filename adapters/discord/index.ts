// Entry point of the Discord adapter: builds the REST client, the ChatAdapter and the interaction
// handler, registers with the core, and listens in gateway or HTTP interactions mode.
import { type Client, REST } from 'discord.js';
import type { App } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import type { ChatAdapter } from '../../src/core/types.js';
import { ConfigError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { attachmentPolicy } from './attachments.js';
import { DiscordAdapter } from './discord-adapter.js';
import { DiscordApi } from './discord-api.js';
import { createVideoFitter } from './fit-video.js';
import { attachGateway, createGatewayClient } from './gateway.js';
import { INTERACTIONS_PATH, registerInteractionRoute } from './http-endpoint.js';
import { InteractionHandler } from './interaction-handler.js';
import { INTERACTION_GLOBAL_PER_SECOND, restOptions } from './rest.js';
import { createVerifier } from './verify.js';

export interface DiscordTuning {
  /** Minimum gap between two edits of one status message (default 3 s). */
  statusIntervalMs?: number;
}

export interface DiscordHandle {
  adapter: ChatAdapter;
  handler: InteractionHandler;
  stop(): Promise<void>;
}

export interface DiscordParts {
  api: DiscordApi;
  adapter: DiscordAdapter;
  handler: InteractionHandler;
  /** The gateway client in gateway mode (not logged in yet). */
  client: Client | undefined;
  logger: Logger;
}

/** Builds everything and registers the adapter with the core, without connecting anywhere. */
export function buildDiscord(
  app: App,
  discord: NonNullable<Config['discord']>,
  tuning: DiscordTuning = {},
): DiscordParts {
  const logger = app.logger.child({ component: 'discord' });
  if (!discord.applicationId)
    throw new ConfigError(['DISCORD_APPLICATION_ID: required when DISCORD_TOKEN is set']);
  const client = discord.mode === 'gateway' ? createGatewayClient(discord.apiUrl, discord.shards) : undefined;
  const rest = client ? client.rest : new REST(restOptions(discord.apiUrl));
  rest.setToken(discord.token);
  const interactionRest = new REST({
    ...restOptions(discord.apiUrl),
    globalRequestsPerSecond: INTERACTION_GLOBAL_PER_SECOND,
  });
  const api = new DiscordApi(rest, discord.applicationId, interactionRest);

  const policy = attachmentPolicy(discord.apiUrl, app.config.media.inputMaxBytes);
  const adapter = new DiscordAdapter({
    api,
    logger,
    policy,
    ...(tuning.statusIntervalMs !== undefined ? { statusIntervalMs: tuning.statusIntervalMs } : {}),
    delivery: {
      api,
      createMediaLink: (jobId, filePath) => app.service.createMediaLink(jobId, filePath),
      fitVideo: createVideoFitter(app.config.media),
      mediaLinkHours: Math.round(app.config.mediaLinkTtlMs / 3_600_000),
      logger,
    },
  });
  app.service.registerAdapter(adapter);
  const handler = new InteractionHandler({
    service: app.service,
    config: app.config,
    api,
    adapter,
    logger,
    policy,
    formStore: app.store.kv('discord-forms'),
  });
  return { api, adapter, handler, client, logger };
}

/**
 * Registers the Discord adapter with the core and starts listening: the interactions route on the
 * core's HTTP server in HTTP mode, a gateway connection otherwise. Call `app.service.resume()` after
 * every adapter has started, so resumed jobs find theirs.
 */
export async function startDiscordAdapter(
  app: App,
  discord: NonNullable<Config['discord']>,
  tuning: DiscordTuning = {},
): Promise<DiscordHandle> {
  const { api, adapter, handler, client, logger } = buildDiscord(app, discord, tuning);
  let stopRoute = () => {};
  if (discord.mode === 'http') {
    if (!discord.publicKey) throw new ConfigError(['DISCORD_PUBLIC_KEY: required when DISCORD_MODE=http']);
    const route = registerInteractionRoute(app.server, handler, createVerifier(discord.publicKey), logger);
    stopRoute = () => route.stop();
    logger.info(
      { path: INTERACTIONS_PATH, api: discord.apiUrl ?? 'default' },
      'discord http interactions ready',
    );
  } else if (client) {
    attachGateway(client, handler, api, logger);
    await client.login(discord.token);
  }

  return {
    adapter,
    handler,
    async stop() {
      stopRoute();
      await client?.destroy();
      await handler.idle();
      adapter.close();
    },
  };
}
