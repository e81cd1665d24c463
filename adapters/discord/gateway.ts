// Gateway mode: a discord.js Client with no intents at all, because interactions are delivered to
// every connected bot regardless of intents. Raw INTERACTION_CREATE payloads go to the shared handler
// and the first answer goes out through the interaction callback route.
import { Client, type ClientOptions, Events, GatewayDispatchEvents } from 'discord.js';
import type { ShardSettings } from '../../src/config-shards.js';
import type { Logger } from '../../src/logger.js';
import { type DiscordApi, restErrorInfo } from './discord-api.js';
import type { InteractionHandler } from './interaction-handler.js';
import { restOptions } from './rest.js';

export function createGatewayClient(apiUrl: string | undefined, shards?: ShardSettings): Client {
  return new Client({ intents: [], rest: restOptions(apiUrl), ...shardOptions(shards) });
}

/**
 * Internal sharding: one process runs every listed shard. A subset (DISCORD_SHARD_IDS) needs the total
 * as shardCount too, or discord.js would take the subset's length as the total and Discord would route
 * guilds to shards nobody runs. Unset: discord.js's default, one shard.
 */
export function shardOptions(shards: ShardSettings | undefined): Partial<ClientOptions> {
  if (!shards) return {};
  if (shards.count === 'auto') return { shards: 'auto' };
  const ids = shards.ids ?? Array.from({ length: shards.count }, (_, id) => id);
  return { shards: ids, shardCount: shards.count };
}

export function attachGateway(
  client: Client,
  handler: InteractionHandler,
  api: DiscordApi,
  logger: Logger,
): void {
  client.ws.on(GatewayDispatchEvents.InteractionCreate, (data: unknown) => {
    const { id, token } = (data ?? {}) as { id?: unknown; token?: unknown };
    if (typeof id !== 'string' || typeof token !== 'string') return;
    const respond = (body: object) => api.callback(id, token, body);
    void handler
      .handle(data, respond)
      .catch((error: unknown) =>
        logger.error(
          { interactionId: id, ...restErrorInfo(error) },
          'discord interaction could not be answered',
        ),
      );
  });
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord gateway error'));
  client.on(Events.ShardDisconnect, (event, shardId) =>
    logger.warn({ shardId, code: event.code }, 'discord gateway disconnected'),
  );
  client.once(Events.ClientReady, (ready) =>
    logger.info(
      { user: ready.user.id, shards: client.options.shards, shardCount: client.options.shardCount },
      'discord gateway ready',
    ),
  );
}
