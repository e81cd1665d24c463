// Gateway mode: a discord.js Client with no intents at all, because interactions are delivered to
// every connected bot regardless of intents. Raw INTERACTION_CREATE payloads go to the shared handler
// and the first answer goes out through the interaction callback route.
import { Client, Events, GatewayDispatchEvents } from 'discord.js';
import type { Logger } from '../../src/logger.js';
import { type DiscordApi, restErrorInfo } from './discord-api.js';
import type { InteractionHandler } from './interaction-handler.js';
import { restOptions } from './rest.js';

export function createGatewayClient(apiUrl: string | undefined): Client {
  return new Client({ intents: [], rest: restOptions(apiUrl) });
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
  client.once(Events.ClientReady, (ready) => logger.info({ user: ready.user.id }, 'discord gateway ready'));
}
