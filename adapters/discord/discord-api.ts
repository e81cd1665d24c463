// The handful of Discord REST calls the adapter makes, through discord.js REST (which queues per rate
// limit bucket). Interaction-token calls go out with auth:false on their own instance; the bot token
// is only sent on channel, user and command routes.
import { DiscordAPIError, HTTPError, type RawFile, type REST, RESTJSONErrorCodes, Routes } from 'discord.js';

export interface SentMessage {
  id: string;
  channel_id: string;
}

export type MessageBody = Record<string, unknown>;

export class DiscordApi {
  /**
   * @param rest bot-token calls (channels, threads, commands), under the bot's global limit.
   * @param interactionRest interaction-token calls (callback, @original, follow-ups). Discord exempts
   *   these from the global 50 requests/s, so they get their own REST instance without that cap and
   *   a burst of interactions is not throttled client-side (per-token buckets still apply).
   */
  constructor(
    readonly rest: REST,
    readonly applicationId: string,
    readonly interactionRest: REST = rest,
  ) {}

  /** The initial response, for gateway mode (HTTP mode answers in the HTTP response instead). */
  async callback(interactionId: string, token: string, body: unknown): Promise<void> {
    await this.interactionRest.post(Routes.interactionCallback(interactionId, token), { body, auth: false });
  }

  async editOriginal(token: string, body: MessageBody, files?: RawFile[]): Promise<SentMessage> {
    return (await this.interactionRest.patch(Routes.webhookMessage(this.applicationId, token, '@original'), {
      body,
      auth: false,
      ...(files ? { files } : {}),
    })) as SentMessage;
  }

  async deleteOriginal(token: string): Promise<void> {
    await this.interactionRest.delete(Routes.webhookMessage(this.applicationId, token, '@original'), {
      auth: false,
    });
  }

  async followUp(token: string, body: MessageBody, files?: RawFile[]): Promise<SentMessage> {
    return (await this.interactionRest.post(Routes.webhook(this.applicationId, token), {
      body,
      auth: false,
      ...(files ? { files } : {}),
    })) as SentMessage;
  }

  async createMessage(channelId: string, body: MessageBody, files?: RawFile[]): Promise<SentMessage> {
    return (await this.rest.post(Routes.channelMessages(channelId), {
      body,
      ...(files ? { files } : {}),
    })) as SentMessage;
  }

  async editMessage(channelId: string, messageId: string, body: MessageBody): Promise<SentMessage> {
    return (await this.rest.patch(Routes.channelMessage(channelId, messageId), { body })) as SentMessage;
  }

  /** The bot's DM channel with a user (created on first use; Discord returns the same one after). */
  async openDm(userId: string): Promise<string> {
    const channel = (await this.rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as {
      id: string;
    };
    return channel.id;
  }

  /** Starts a public thread on a message; the thread id equals the message id, so this is idempotent. */
  async startThread(channelId: string, messageId: string, name: string): Promise<string> {
    try {
      const thread = (await this.rest.post(Routes.threads(channelId, messageId), {
        body: { name: name.slice(0, 100), auto_archive_duration: 1440 },
      })) as { id: string };
      return thread.id;
    } catch (error) {
      if (discordCode(error) === RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage) return messageId;
      throw error;
    }
  }

  async putCommands(guildId: string | undefined, body: unknown[]): Promise<unknown[]> {
    const route = guildId
      ? Routes.applicationGuildCommands(this.applicationId, guildId)
      : Routes.applicationCommands(this.applicationId);
    return (await this.rest.put(route, { body })) as unknown[];
  }
}

export function discordCode(error: unknown): number | undefined {
  return error instanceof DiscordAPIError && typeof error.code === 'number' ? error.code : undefined;
}

/** The interaction token is no longer accepted (expired after 15 minutes, or never valid). */
export function isTokenGone(error: unknown): boolean {
  if (!(error instanceof DiscordAPIError)) return false;
  const code = discordCode(error);
  return (
    code === RESTJSONErrorCodes.InvalidWebhookToken ||
    code === RESTJSONErrorCodes.UnknownWebhook ||
    code === RESTJSONErrorCodes.UnknownInteraction ||
    error.status === 401
  );
}

/**
 * What may be logged about a failed call. DiscordAPIError carries the URL (with the interaction
 * token in it) and the request body (with the uploaded bytes), so neither goes to the log.
 */
export function restErrorInfo(error: unknown): Record<string, unknown> {
  if (error instanceof DiscordAPIError)
    return { status: error.status, code: error.code, method: error.method };
  if (error instanceof Error) return { name: error.name, message: error.message.slice(0, 200) };
  return { message: String(error).slice(0, 200) };
}

/** A failed Discord call reduced to what is safe to keep, log and rethrow (no URL, no body, no cause). */
export class DiscordCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    readonly method: string,
  ) {
    super(`Discord answered ${status}${code === undefined ? '' : ` (${code})`} to ${method.toUpperCase()}`);
    this.name = 'DiscordCallError';
  }
}

/**
 * discord.js errors carry the request URL (an interaction token for webhook routes) and the request
 * body (uploaded bytes); anything leaving the adapter, including to the core's logs, is stripped first.
 */
export function sanitize(error: unknown): unknown {
  if (error instanceof DiscordAPIError)
    return new DiscordCallError(error.status, discordCode(error), error.method);
  if (error instanceof HTTPError) return new DiscordCallError(error.status, undefined, error.method);
  return error;
}
