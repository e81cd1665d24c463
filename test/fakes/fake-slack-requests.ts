// Requests shaped like the ones Slack sends to POST /slack/events, signed for real with HMAC-SHA256:
// slash commands (form), interactivity (form field `payload` holding JSON) and events (JSON).
import { createHmac, randomBytes } from 'node:crypto';
import { request } from 'undici';

export const SIGNING_SECRET = 'test-signing-secret-4f1c9e2b7a';

export interface SignedPost {
  body: string;
  contentType: string;
}

export interface PostOptions {
  secret?: string;
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
  signature?: string;
  retryNum?: number;
}

export interface PostResult {
  status: number;
  text: string;
  contentType: string | undefined;
  ms: number;
}

export function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export async function postToSlackEvents(
  baseUrl: string,
  post: SignedPost,
  options: PostOptions = {},
): Promise<PostResult> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const res = await request(`${baseUrl}/slack/events`, {
    method: 'POST',
    body: post.body,
    headers: {
      'content-type': post.contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? sign(options.secret ?? SIGNING_SECRET, timestamp, post.body),
      ...(options.retryNum
        ? { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' }
        : {}),
    },
  });
  const text = await res.body.text();
  const type = res.headers['content-type'];
  return {
    status: res.statusCode,
    text,
    contentType: typeof type === 'string' ? type : undefined,
    ms: performance.now() - started,
  };
}

export const triggerId = () =>
  `${Date.now()}.${randomBytes(4).readUInt32BE()}.${randomBytes(8).toString('hex')}`;

export interface Who {
  team?: string;
  user?: string;
  userName?: string;
}

export function slashCommand(
  input: Who & { channel?: string; text?: string; trigger?: string; command?: string },
): SignedPost {
  const form = new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: input.team ?? 'T0FAKE',
    team_domain: 'fake',
    channel_id: input.channel ?? 'C0GENERAL',
    channel_name: 'general',
    user_id: input.user ?? 'U0ADA',
    user_name: input.userName ?? 'ada',
    command: input.command ?? '/avatar',
    text: input.text ?? '',
    api_app_id: 'A0FAKE',
    is_enterprise_install: 'false',
    response_url: 'https://hooks.slack.com/commands/T0FAKE/1/abc',
    trigger_id: input.trigger ?? triggerId(),
  });
  return { body: form.toString(), contentType: 'application/x-www-form-urlencoded' };
}

export function interactivity(payload: Record<string, unknown>): SignedPost {
  return {
    body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    contentType: 'application/x-www-form-urlencoded',
  };
}

function user(who: Who) {
  const id = who.user ?? 'U0ADA';
  const name = who.userName ?? 'ada';
  return { id, username: name, name, team_id: who.team ?? 'T0FAKE' };
}

export function globalShortcut(who: Who & { trigger?: string } = {}): SignedPost {
  return interactivity({
    type: 'shortcut',
    token: 'deprecated',
    action_ts: `${Date.now() / 1000}`,
    team: { id: who.team ?? 'T0FAKE', domain: 'fake' },
    user: user(who),
    is_enterprise_install: false,
    enterprise: null,
    callback_id: 'avatar_global',
    trigger_id: who.trigger ?? triggerId(),
  });
}

export function messageShortcut(
  input: Who & { channel?: string; files: unknown[]; trigger?: string },
): SignedPost {
  const ts = `${Math.floor(Date.now() / 1000)}.000200`;
  return interactivity({
    type: 'message_action',
    token: 'deprecated',
    action_ts: `${Date.now() / 1000}`,
    team: { id: input.team ?? 'T0FAKE', domain: 'fake' },
    user: user(input),
    channel: { id: input.channel ?? 'C0GENERAL', name: 'general' },
    is_enterprise_install: false,
    enterprise: null,
    callback_id: 'avatar_message',
    trigger_id: input.trigger ?? triggerId(),
    response_url: 'https://hooks.slack.com/app/T0FAKE/2/def',
    message_ts: ts,
    message: {
      type: 'message',
      user: input.user ?? 'U0ADA',
      ts,
      text: 'my photo and voice',
      files: input.files,
    },
  });
}

/** A submission of `view` (as the bot opened it) with the given state values. */
export function viewSubmission(
  view: Record<string, unknown>,
  values: Record<string, Record<string, Record<string, unknown>>>,
  input: Who & { viewId?: string } = {},
): SignedPost {
  return interactivity({
    type: 'view_submission',
    team: { id: input.team ?? 'T0FAKE', domain: 'fake' },
    user: user(input),
    api_app_id: 'A0FAKE',
    token: 'deprecated',
    trigger_id: triggerId(),
    view: {
      id: input.viewId ?? `V${randomBytes(5).toString('hex').toUpperCase()}`,
      team_id: input.team ?? 'T0FAKE',
      type: 'modal',
      blocks: view.blocks,
      private_metadata: view.private_metadata,
      callback_id: view.callback_id,
      state: { values },
      hash: `${Date.now()}.abc`,
      title: view.title,
      clear_on_close: false,
      notify_on_close: false,
      root_view_id: null,
      previous_view_id: null,
      app_id: 'A0FAKE',
      bot_id: 'BBOT',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  });
}

export function blockAction(
  input: Who & { actionId: string; value: string; channel: string; messageTs: string; actionTs?: string },
): SignedPost {
  return interactivity({
    type: 'block_actions',
    team: { id: input.team ?? 'T0FAKE', domain: 'fake' },
    user: user(input),
    api_app_id: 'A0FAKE',
    token: 'deprecated',
    container: {
      type: 'message',
      message_ts: input.messageTs,
      channel_id: input.channel,
      is_ephemeral: false,
    },
    trigger_id: triggerId(),
    channel: { id: input.channel, name: 'general' },
    message: { type: 'message', ts: input.messageTs, text: 'status' },
    response_url: 'https://hooks.slack.com/actions/T0FAKE/3/ghi',
    actions: [
      {
        type: 'button',
        action_id: input.actionId,
        block_id: 'avatar_buttons',
        text: { type: 'plain_text', text: 'button' },
        value: input.value,
        action_ts: input.actionTs ?? `${Date.now() / 1000}`,
      },
    ],
    is_enterprise_install: false,
    enterprise: null,
  });
}

/** State values for a file_input block holding `file`. */
export const fileValue = (id: string, file: unknown) => ({
  [id]: { [id]: { type: 'file_input', files: [file] } },
});
export const textValue = (id: string, value: string) => ({
  [id]: { [id]: { type: 'plain_text_input', value } },
});
export const modeValue = (mode: string) => ({
  mode: {
    mode: {
      type: 'static_select',
      selected_option: { text: { type: 'plain_text', text: mode }, value: mode },
    },
  },
});
export const channelValue = (channel: string) => ({
  channel: { channel: { type: 'conversations_select', selected_conversation: channel } },
});
