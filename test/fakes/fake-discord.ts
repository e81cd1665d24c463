// A fake Discord REST API on 127.0.0.1 for adapter tests: records every call, serves attachment files
// (or redirects them elsewhere), keeps messages and threads, enforces the per-file upload limit, and can
// expire interaction tokens or refuse permissions on command, so discord.js (pointed at it with
// `rest.api`) meets realistic answers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { snowflake } from './fake-discord-payloads.js';

export interface RecordedFile {
  field: string;
  name: string;
  size: number;
  contentType: string;
}

export interface RecordedCall {
  method: string;
  /** Path after /api/v10, percent-decoded (e.g. /webhooks/1/tok/messages/@original). */
  path: string;
  /** 'bot' when the expected bot token was sent, 'wrong' for another Authorization, 'none' without. */
  auth: 'bot' | 'wrong' | 'none';
  json: Record<string, unknown> | undefined;
  files: RecordedFile[];
  status: number;
  at: number;
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  content: string;
  components: unknown[];
  attachments: Array<{ id: string; filename: string; size: number }>;
  flags: number;
  nonce?: string;
  message_reference?: unknown;
}

type Reply = { status: number; body?: unknown };

const error = (status: number, code: number, message: string): Reply => ({ status, body: { code, message } });
const EXPIRED = error(401, 50027, 'Invalid Webhook Token');

export class FakeDiscord {
  readonly calls: RecordedCall[] = [];
  readonly fileRequests: string[] = [];
  readonly messages = new Map<string, FakeMessage>();
  readonly threads = new Map<string, { parentId: string; name: string }>();
  /** Per-file upload limit, answered with 413 / 40005 above it (Discord's default is 10 MiB). */
  uploadLimit = 10 * 1024 * 1024;
  /** Interaction tokens that now answer 401 / 50027, as after their 15 minutes. */
  readonly expiredTokens = new Set<string>();
  /** Channels where the bot lacks permissions (403 / 50013 on posts and thread starts). */
  readonly refusedChannels = new Set<string>();
  /** Users whose DMs are closed to the bot (403 / 50007 when a DM channel is opened). */
  readonly closedDms = new Set<string>();
  /** DM channel id per user, as POST /users/@me/channels returns it. */
  readonly dmChannels = new Map<string, string>();
  /** Answer modal callbacks (type 9) with 400 / 50035, as an API without that component would. */
  refuseModals = false;
  private readonly originals = new Map<string, string>();
  private readonly tokenChannels = new Map<string, string>();
  private readonly files = new Map<string, { data: Buffer; contentType: string }>();
  private readonly redirects = new Map<string, string>();
  private readonly sockets = new Set<Socket>();
  private server!: Server;
  url = '';

  constructor(readonly botToken = 'fake-bot-token-0123456789') {}

  static async start(botToken?: string): Promise<FakeDiscord> {
    const fake = new FakeDiscord(botToken);
    fake.server = createServer((req, res) => void fake.dispatch(req, res));
    fake.server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** What DISCORD_API_URL should be set to. */
  get apiUrl(): string {
    return `${this.url}/api`;
  }

  /** Serves `data` as an attachment and returns its URL (on this host, like a CDN link would be). */
  addFile(name: string, data: Buffer, contentType: string): string {
    const path = `/attachments/${snowflake()}/${snowflake()}/${encodeURIComponent(name)}`;
    this.files.set(path, { data, contentType });
    return `${this.url}${path}?ex=ffffffff&is=00000000&hm=fake`;
  }

  /** An attachment URL on this host that answers 302 to `location` (a CDN link gone astray). */
  addRedirect(name: string, location: string): string {
    const path = `/attachments/${snowflake()}/${snowflake()}/${encodeURIComponent(name)}`;
    this.redirects.set(path, location);
    return `${this.url}${path}`;
  }

  /** Tells the fake which channel an interaction token's messages belong to. */
  trackInteraction(token: string, channelId: string): void {
    this.tokenChannels.set(token, channelId);
  }

  original(token: string): FakeMessage | undefined {
    const id = this.originals.get(token);
    return id ? this.messages.get(id) : undefined;
  }

  callsTo(method: string, pattern: RegExp): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && pattern.test(c.path));
  }

  async waitFor(predicate: (call: RecordedCall) => boolean, timeoutMs = 30_000): Promise<RecordedCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.calls.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('fake discord: expected call did not arrive');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'GET' && this.files.has(url.pathname)) {
      this.fileRequests.push(url.pathname);
      const file = this.files.get(url.pathname);
      res.writeHead(200, {
        'content-type': file?.contentType ?? '',
        'content-length': file?.data.length ?? 0,
      });
      res.end(file?.data);
      return;
    }
    const redirect = req.method === 'GET' ? this.redirects.get(url.pathname) : undefined;
    if (redirect) {
      this.fileRequests.push(url.pathname);
      res.writeHead(302, { location: redirect });
      res.end();
      return;
    }
    const path = decodeURIComponent(url.pathname.replace(/^\/api\/v10/, ''));
    const authHeader = req.headers.authorization;
    const auth = !authHeader ? 'none' : authHeader === `Bot ${this.botToken}` ? 'bot' : 'wrong';
    const { json, files } = await parseBody(req.headers['content-type'] ?? '', raw);
    const call: RecordedCall = {
      method: req.method ?? '',
      path,
      auth,
      json,
      files,
      status: 0,
      at: Date.now(),
    };
    const reply = this.route(call);
    call.status = reply.status;
    this.calls.push(call);
    if (reply.body === undefined) {
      res.writeHead(reply.status);
      res.end();
      return;
    }
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  private route(call: RecordedCall): Reply {
    const { method, path } = call;
    const match = (verb: string, re: RegExp) => (method === verb ? re.exec(path) : null);
    if (match('POST', /^\/interactions\/(\d+)\/([^/]+)\/callback$/)) {
      if (this.refuseModals && call.json?.type === 9) return error(400, 50035, 'Invalid Form Body');
      return { status: 204 };
    }
    const original = /^\/webhooks\/\d+\/([^/]+)\/messages\/@original$/.exec(path);
    if (original) return this.original_(method, original[1] ?? '', call);
    const followUp = match('POST', /^\/webhooks\/\d+\/([^/]+)$/);
    if (followUp) {
      const token = followUp[1] ?? '';
      if (this.expiredTokens.has(token)) return EXPIRED;
      if (this.tooLarge(call)) return error(413, 40005, 'Request entity too large');
      return { status: 200, body: this.upsert(snowflake(), this.tokenChannels.get(token) ?? '0', call) };
    }
    if (call.auth !== 'bot' && /^\/(channels|applications)\//.test(path))
      return error(401, 0, '401: Unauthorized');
    if (match('POST', /^\/users\/@me\/channels$/)) {
      const recipient = String(call.json?.recipient_id ?? '');
      if (this.closedDms.has(recipient)) return error(403, 50007, 'Cannot send messages to this user');
      const id = this.dmChannels.get(recipient) ?? snowflake();
      this.dmChannels.set(recipient, id);
      return { status: 200, body: { id, type: 1, recipients: [{ id: recipient }] } };
    }
    const post = match('POST', /^\/channels\/(\d+)\/messages$/);
    if (post) return this.createMessage(post[1] ?? '', call);
    const edit = match('PATCH', /^\/channels\/(\d+)\/messages\/(\d+)$/);
    if (edit) {
      const existing = this.messages.get(edit[2] ?? '');
      if (!existing || existing.channel_id !== edit[1]) return error(404, 10008, 'Unknown Message');
      return { status: 200, body: this.upsert(existing.id, existing.channel_id, call) };
    }
    const thread = match('POST', /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/);
    if (thread) return this.startThread(thread[1] ?? '', thread[2] ?? '', call);
    if (match('PUT', /^\/applications\/\d+(\/guilds\/\d+)?\/commands$/)) {
      const body = Array.isArray(call.json) ? (call.json as Array<Record<string, unknown>>) : [];
      return { status: 200, body: body.map((c) => ({ ...c, id: snowflake() })) };
    }
    return error(404, 0, '404: Not Found');
  }

  private original_(method: string, token: string, call: RecordedCall): Reply {
    if (this.expiredTokens.has(token)) return EXPIRED;
    if (method === 'DELETE') {
      this.originals.delete(token);
      return { status: 204 };
    }
    if (method !== 'PATCH') return error(405, 0, '405: Method Not Allowed');
    if (this.tooLarge(call)) return error(413, 40005, 'Request entity too large');
    const id = this.originals.get(token) ?? snowflake();
    this.originals.set(token, id);
    return { status: 200, body: this.upsert(id, this.tokenChannels.get(token) ?? '0', call) };
  }

  private startThread(channelId: string, messageId: string, call: RecordedCall): Reply {
    if (this.refusedChannels.has(channelId)) return error(403, 50013, 'Missing Permissions');
    if (this.threads.has(messageId))
      return error(400, 160004, 'A thread has already been created for this message');
    const name = String(call.json?.name ?? '');
    this.threads.set(messageId, { parentId: channelId, name });
    return { status: 201, body: { id: messageId, type: 11, parent_id: channelId, name } };
  }

  private createMessage(channelId: string, call: RecordedCall): Reply {
    if (this.refusedChannels.has(channelId)) return error(403, 50013, 'Missing Permissions');
    const nonce = typeof call.json?.nonce === 'string' ? call.json.nonce : undefined;
    if (nonce && call.json?.enforce_nonce === true) {
      const earlier = [...this.messages.values()].find(
        (msg) => msg.channel_id === channelId && msg.nonce === nonce,
      );
      if (earlier) return { status: 200, body: earlier };
    }
    if (this.tooLarge(call)) return error(413, 40005, 'Request entity too large');
    return { status: 200, body: this.upsert(snowflake(), channelId, call) };
  }

  private tooLarge(call: RecordedCall): boolean {
    return call.files.some((f) => f.size > this.uploadLimit);
  }

  private upsert(id: string, channelId: string, call: RecordedCall): FakeMessage {
    const body = call.json ?? {};
    const existing = this.messages.get(id);
    const message: FakeMessage = {
      id,
      channel_id: channelId,
      content: typeof body.content === 'string' ? body.content : (existing?.content ?? ''),
      components: Array.isArray(body.components) ? body.components : (existing?.components ?? []),
      attachments:
        call.files.length > 0
          ? call.files.map((f) => ({ id: snowflake(), filename: f.name, size: f.size }))
          : (existing?.attachments ?? []),
      flags: typeof body.flags === 'number' ? body.flags : (existing?.flags ?? 0),
      ...(typeof body.nonce === 'string' ? { nonce: body.nonce } : {}),
      ...(body.message_reference ? { message_reference: body.message_reference } : {}),
    };
    this.messages.set(id, message);
    return message;
  }
}

async function parseBody(
  contentType: string,
  raw: Buffer,
): Promise<{ json: Record<string, unknown> | undefined; files: RecordedFile[] }> {
  if (raw.length === 0) return { json: undefined, files: [] };
  if (contentType.startsWith('application/json'))
    return { json: JSON.parse(raw.toString('utf8')), files: [] };
  if (!contentType.startsWith('multipart/form-data')) return { json: undefined, files: [] };
  const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  const files: RecordedFile[] = [];
  let json: Record<string, unknown> | undefined;
  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') {
      if (field === 'payload_json') json = JSON.parse(value);
    } else {
      files.push({ field, name: value.name, size: value.size, contentType: value.type });
    }
  }
  return { json, files };
}
