// Web API clients per workspace for work that happens after the request (status updates, uploads):
// one bot token in single-workspace mode, or the installation's token in OAuth mode.
import { webApi } from '@slack/bolt';
import type { WorkspaceRef } from './address.js';

export type TokenSource = (workspace: WorkspaceRef) => Promise<string>;

export class SlackClients {
  private readonly byToken = new Map<string, webApi.WebClient>();

  constructor(
    private readonly tokenFor: TokenSource,
    private readonly options: webApi.WebClientOptions,
  ) {}

  token(workspace: WorkspaceRef): Promise<string> {
    return this.tokenFor(workspace);
  }

  async client(workspace: WorkspaceRef): Promise<webApi.WebClient> {
    const token = await this.tokenFor(workspace);
    let client = this.byToken.get(token);
    if (!client) {
      client = new webApi.WebClient(token, this.options);
      this.byToken.set(token, client);
    }
    return client;
  }
}

/** Slack's error code from a failed Web API call (`not_in_channel`, `ratelimited`…), if any. */
export function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}
