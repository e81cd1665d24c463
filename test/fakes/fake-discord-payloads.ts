// Interaction payloads shaped like Discord's (slash command with resolved attachments, message command
// on a voice message, button click, modal submit) and real Ed25519 signing, for adapter tests.
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { request } from 'undici';

export const APP_ID = '1100000000000000001';
export const GUILD_ID = '1100000000000000002';
export const CHANNEL_ID = '1100000000000000003';
export const OWNER = { id: '1100000000000000010', username: 'ada', global_name: 'Ada' };
export const STRANGER = { id: '1100000000000000011', username: 'bob', global_name: 'Bob' };

/** ViewChannel, SendMessages, AttachFiles, ReadMessageHistory, CreatePublicThreads, SendMessagesInThreads. */
export const BOT_PERMISSIONS = String(
  (1n << 10n) | (1n << 11n) | (1n << 15n) | (1n << 16n) | (1n << 35n) | (1n << 38n),
);

const DISCORD_EPOCH = 1_420_070_400_000n;
let sequence = 0n;

/** A unique snowflake for `time` (ms), so an interaction id also says when it was created. */
export function snowflake(time = Date.now()): string {
  sequence = (sequence + 1n) % 4096n;
  return String(((BigInt(time) - DISCORD_EPOCH) << 22n) | sequence);
}

export interface TestKeys {
  publicKeyHex: string;
  privateKey: KeyObject;
}

export function makeKeys(): TestKeys {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return { publicKeyHex: Buffer.from(jwk.x ?? '', 'base64url').toString('hex'), privateKey };
}

export function signatureHeaders(keys: TestKeys, body: string, timestamp = Math.floor(Date.now() / 1000)) {
  const ts = String(timestamp);
  return {
    'x-signature-ed25519': sign(null, Buffer.from(ts + body), keys.privateKey).toString('hex'),
    'x-signature-timestamp': ts,
  };
}

export interface FileSpec {
  url: string;
  filename: string;
  contentType?: string;
  size: number;
  id?: string;
}

export function attachment(spec: FileSpec) {
  return {
    id: spec.id ?? snowflake(),
    filename: spec.filename,
    ...(spec.contentType ? { content_type: spec.contentType } : {}),
    size: spec.size,
    url: spec.url,
    proxy_url: spec.url,
  };
}

export interface ContextSpec {
  user?: typeof OWNER;
  id?: string;
  dm?: boolean;
  channelId?: string;
  channelType?: number;
  permissions?: string;
  sizeLimit?: number;
  locale?: string;
}

function base(type: number, spec: ContextSpec) {
  const user = spec.user ?? OWNER;
  const channelId = spec.channelId ?? CHANNEL_ID;
  return {
    id: spec.id ?? snowflake(),
    application_id: APP_ID,
    type,
    token: `itok-${snowflake()}-secret`,
    version: 1,
    channel_id: channelId,
    channel: { id: channelId, type: spec.channelType ?? (spec.dm ? 1 : 0) },
    ...(spec.dm
      ? { user, context: 1 }
      : { guild_id: GUILD_ID, member: { user, nick: null, roles: [] }, guild_locale: 'en-US', context: 0 }),
    app_permissions: spec.permissions ?? BOT_PERMISSIONS,
    locale: spec.locale ?? 'en-US',
    entitlements: [],
    authorizing_integration_owners: { 0: GUILD_ID },
    attachment_size_limit: spec.sizeLimit ?? 10 * 1024 * 1024,
  };
}

export interface SlashSpec extends ContextSpec {
  image?: ReturnType<typeof attachment>;
  voice?: ReturnType<typeof attachment>;
  text?: string;
  prompt?: string;
  mode?: string;
}

export function slashCommand(spec: SlashSpec) {
  const options: Array<{ name: string; type: number; value: string }> = [];
  const attachments: Record<string, ReturnType<typeof attachment>> = {};
  for (const name of ['image', 'voice'] as const) {
    const file = spec[name];
    if (file) {
      options.push({ name, type: 11, value: file.id });
      attachments[file.id] = file;
    }
  }
  for (const name of ['text', 'prompt', 'mode'] as const) {
    const value = spec[name];
    if (value !== undefined) options.push({ name, type: 3, value });
  }
  return {
    ...base(2, spec),
    data: { id: snowflake(), name: 'avatar', type: 1, options, resolved: { attachments } },
  };
}

export function messageCommand(
  spec: ContextSpec & { attachments: ReturnType<typeof attachment>[]; voiceMessage?: boolean },
) {
  const targetId = snowflake();
  return {
    ...base(2, spec),
    data: {
      id: snowflake(),
      name: 'Make talking avatar',
      type: 3,
      target_id: targetId,
      resolved: {
        messages: {
          [targetId]: {
            id: targetId,
            channel_id: spec.channelId ?? CHANNEL_ID,
            content: '',
            flags: spec.voiceMessage ? 8192 : 0,
            author: spec.user ?? OWNER,
            attachments: spec.attachments,
          },
        },
      },
    },
  };
}

export function buttonClick(customId: string, spec: ContextSpec = {}) {
  return {
    ...base(3, spec),
    message: { id: snowflake(), channel_id: spec.channelId ?? CHANNEL_ID },
    data: { custom_id: customId, component_type: 2 },
  };
}

export function modalSubmit(
  customId: string,
  fields: {
    image?: ReturnType<typeof attachment>;
    voice?: ReturnType<typeof attachment>;
    text?: string;
    prompt?: string;
    mode?: string;
  },
  spec: ContextSpec = {},
) {
  const components: unknown[] = [];
  const attachments: Record<string, ReturnType<typeof attachment>> = {};
  for (const name of ['image', 'voice'] as const) {
    const file = fields[name];
    if (file) attachments[file.id] = file;
    components.push({
      type: 18,
      id: components.length + 1,
      component: { type: 19, id: 10, custom_id: name, values: file ? [file.id] : [] },
    });
  }
  for (const name of ['text', 'prompt'] as const)
    components.push({
      type: 18,
      id: components.length + 1,
      component: { type: 4, custom_id: name, value: fields[name] ?? '' },
    });
  components.push({
    type: 18,
    id: 9,
    component: { type: 3, custom_id: 'mode', values: fields.mode ? [fields.mode] : [] },
  });
  return { ...base(5, spec), data: { custom_id: customId, components, resolved: { attachments } } };
}

export interface PostResult {
  status: number;
  body: unknown;
  ms: number;
}

/** POSTs a payload the way Discord does; `tamper` forges or ages the signature. */
export async function postInteraction(
  endpoint: string,
  payload: unknown,
  keys: TestKeys,
  tamper: { timestamp?: number; signWith?: TestKeys; body?: string } = {},
): Promise<PostResult> {
  const body = JSON.stringify(payload);
  const headers = signatureHeaders(tamper.signWith ?? keys, body, tamper.timestamp);
  const started = performance.now();
  const res = await request(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: tamper.body ?? body,
  });
  const text = await res.body.text();
  const ms = performance.now() - started;
  return { status: res.statusCode, body: text ? JSON.parse(text) : undefined, ms };
}
