// A fake Slack on loopback for adapter tests: the Web API methods the adapter calls (form-encoded or
// JSON), the external upload URL, private file downloads that demand the bot token (and answer
// Slack's HTML login page without it), and the OAuth code exchange. It records every call.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
  /** performance.now() when the call arrived. */
  at: number;
}

export interface HostedFile {
  id: string;
  name: string;
  mimetype: string;
  filetype: string;
  bytes: Buffer;
  subtype?: string;
}

export interface Upload {
  fileId: string;
  filename: string;
  length: number;
  bytes?: Buffer;
  completed?: { channel_id: string; thread_ts?: string; initial_comment?: string; title?: string };
}

export interface PostedMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  thread_ts?: string;
}

type Override = (args: Record<string, unknown>) => Record<string, unknown> | undefined;

export const LOGIN_PAGE =
  '<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to Slack</body></html>';

export class FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly downloads: Array<{ path: string; authorized: boolean }> = [];
  readonly files = new Map<string, HostedFile>();
  readonly uploads = new Map<string, Upload>();
  readonly messages = new Map<string, PostedMessage>();
  readonly tokens: Map<string, { team: string; botUserId: string; botId: string }>;
  url = '';
  /** Serve the login page even for the bot token, as Slack does when the app lacks files:read. */
  denyDownloads = false;
  /** Users users.info reports as workspace admins. */
  readonly admins = new Set<string>();
  private server: Server | undefined;
  private seq = 0;
  private readonly overrides = new Map<string, Override[]>();
  private readonly waiters: Array<() => void> = [];

  constructor(
    readonly botToken = 'xoxb-fake-bot-token',
    readonly team = 'T0FAKE',
  ) {
    this.tokens = new Map([[botToken, { team, botUserId: 'UBOT', botId: 'BBOT' }]]);
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }

  /** Answers the next call(s) of `method` with `response` instead of the default. */
  failNext(method: string, error: string, times = 1): void {
    for (let i = 0; i < times; i++) this.override(method, () => ({ ok: false, error }));
  }

  override(method: string, fn: Override): void {
    const list = this.overrides.get(method) ?? [];
    list.push(fn);
    this.overrides.set(method, list);
  }

  /** Hosts a file as Slack would and returns the file object a payload would carry. */
  hostFile(file: Omit<HostedFile, 'id'> & { id?: string }): Record<string, unknown> {
    const id = file.id ?? this.nextId('F');
    const hosted: HostedFile = { ...file, id };
    this.files.set(id, hosted);
    return this.fileObject(hosted);
  }

  fileObject(file: HostedFile): Record<string, unknown> {
    const url = `${this.url}/files-pri/${this.team}-${file.id}/${encodeURIComponent(file.name)}`;
    return {
      id: file.id,
      name: file.name,
      title: file.name,
      mimetype: file.mimetype,
      filetype: file.filetype,
      size: file.bytes.length,
      url_private: url,
      url_private_download: `${url}?download=1`,
      ...(file.subtype ? { subtype: file.subtype, media_display_type: 'audio' } : {}),
    };
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves with the first matching call, waiting for it if needed. */
  async waitFor(
    method: string,
    match: (c: SlackCall) => boolean = () => true,
    timeoutMs = 20_000,
  ): Promise<SlackCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.calls.find((c) => c.method === method && match(c));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${method} call matched within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}${String(this.seq).padStart(6, '0')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const body = await readAll(req);
    if (req.method === 'POST' && url.pathname.startsWith('/api/')) {
      return this.api(url.pathname.slice('/api/'.length), req, body, res);
    }
    if (req.method === 'POST' && url.pathname.startsWith('/upload/')) {
      const upload = this.uploads.get(url.pathname.slice('/upload/'.length));
      if (!upload) return send(res, 404, 'text/plain', 'no such upload');
      upload.bytes = body;
      return send(res, 200, 'text/plain', `OK - ${body.length}`);
    }
    if (req.method === 'GET' && url.pathname.startsWith('/files-pri/')) return this.download(url, req, res);
    if (req.method === 'GET' && url.pathname.startsWith('/redirect/')) {
      // Same-host redirect to a hosted file, as Slack does between its own file hosts.
      res.writeHead(302, { location: decodeURIComponent(url.pathname.slice('/redirect/'.length)) });
      return void res.end();
    }
    send(res, 404, 'text/plain', 'not found');
  }

  private download(url: URL, req: IncomingMessage, res: ServerResponse): void {
    const authorized =
      !this.denyDownloads && this.tokens.has((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    this.downloads.push({ path: url.pathname, authorized });
    // Slack's behaviour that bites: no or wrong token gives 200 and its sign-in page, not 401.
    if (!authorized) {
      send(res, 200, 'text/html; charset=utf-8', LOGIN_PAGE);
      return;
    }
    const id = /\/files-pri\/[A-Z0-9]+-([A-Z0-9]+)\//.exec(url.pathname)?.[1] ?? '';
    const file = this.files.get(id);
    if (file) send(res, 200, file.mimetype, file.bytes);
    else send(res, 404, 'text/plain', 'file not found');
  }

  private api(method: string, req: IncomingMessage, raw: Buffer, res: ServerResponse): void {
    const args = parseArgs(raw, req.headers['content-type']);
    const token =
      (req.headers.authorization ?? '').replace(/^Bearer /, '') || (args.token as string | undefined);
    this.calls.push({ method, args, token, at: performance.now() });
    for (const wake of this.waiters.splice(0)) wake();
    const custom = this.overrides.get(method)?.shift();
    const answer = custom?.(args) ?? this.answer(method, args, token);
    send(res, 200, 'application/json', JSON.stringify(answer));
  }

  private answer(
    method: string,
    args: Record<string, unknown>,
    token: string | undefined,
  ): Record<string, unknown> {
    const identity = token ? this.tokens.get(token) : undefined;
    if (!identity && method !== 'oauth.v2.access') return { ok: false, error: 'invalid_auth' };
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://fake.slack.com/',
          team: 'Fake',
          user: 'bot',
          team_id: identity?.team,
          user_id: identity?.botUserId,
          bot_id: identity?.botId,
        };
      case 'views.open':
      case 'views.update':
      case 'views.push':
        return { ok: true, view: { id: this.nextId('V'), ...(args.view as object) } };
      case 'chat.postMessage': {
        const ts = `${1_700_000_000 + this.seq}.${String(this.seq).padStart(6, '0')}`;
        this.nextId('M');
        const message: PostedMessage = {
          channel: String(args.channel),
          ts,
          text: String(args.text ?? ''),
          blocks: (args.blocks as unknown[]) ?? [],
          ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}),
        };
        this.messages.set(ts, message);
        return { ok: true, channel: message.channel, ts, message: { text: message.text, ts } };
      }
      case 'chat.update': {
        const message = this.messages.get(String(args.ts));
        if (!message) return { ok: false, error: 'message_not_found' };
        message.text = String(args.text ?? '');
        message.blocks = (args.blocks as unknown[]) ?? [];
        return { ok: true, channel: message.channel, ts: message.ts };
      }
      case 'chat.delete': {
        if (!this.messages.delete(String(args.ts))) return { ok: false, error: 'message_not_found' };
        return { ok: true, channel: args.channel, ts: args.ts };
      }
      case 'users.info': {
        const id = String(args.user);
        return {
          ok: true,
          user: { id, name: id.toLowerCase(), is_admin: this.admins.has(id), is_owner: false },
        };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${1_700_000_000 + this.seq}.000001` };
      case 'files.getUploadURLExternal': {
        const fileId = this.nextId('F');
        this.uploads.set(fileId, { fileId, filename: String(args.filename), length: Number(args.length) });
        return { ok: true, upload_url: `${this.url}/upload/${fileId}`, file_id: fileId };
      }
      case 'files.completeUploadExternal':
        return this.complete(args);
      case 'files.info':
        return this.info(String(args.file));
      case 'oauth.v2.access':
        return this.exchange();
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private complete(args: Record<string, unknown>): Record<string, unknown> {
    const files = (args.files as Array<{ id: string; title?: string }>) ?? [];
    for (const f of files) {
      const upload = this.uploads.get(f.id);
      if (!upload?.bytes) return { ok: false, error: 'file_not_found' };
      upload.completed = {
        channel_id: String(args.channel_id),
        ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}),
        ...(args.initial_comment ? { initial_comment: String(args.initial_comment) } : {}),
        ...(f.title ? { title: f.title } : {}),
      };
    }
    return { ok: true, files: files.map((f) => ({ id: f.id, title: f.title })) };
  }

  private info(id: string): Record<string, unknown> {
    const hosted = this.files.get(id);
    if (hosted) return { ok: true, file: this.fileObject(hosted) };
    const upload = this.uploads.get(id);
    if (!upload) return { ok: false, error: 'file_not_found' };
    const channel = upload.completed?.channel_id;
    return {
      ok: true,
      file: {
        id,
        name: upload.filename,
        shares: channel
          ? { public: { [channel]: [{ ts: '1.0', thread_ts: upload.completed?.thread_ts }] } }
          : {},
      },
    };
  }

  /** oauth.v2.access: installs the app in a new workspace with a fresh bot token. */
  private exchange(): Record<string, unknown> {
    const token = `xoxb-installed-${randomBytes(6).toString('hex')}`;
    const team = `T0INST${this.tokens.size}`;
    this.tokens.set(token, { team, botUserId: 'UBOT2', botId: 'BBOT2' });
    return {
      ok: true,
      app_id: 'A0FAKE',
      authed_user: { id: 'U0INSTALLER' },
      scope: 'commands,chat:write,files:read,files:write',
      token_type: 'bot',
      access_token: token,
      bot_user_id: 'UBOT2',
      team: { id: team, name: 'Installed' },
      enterprise: null,
      is_enterprise_install: false,
    };
  }
}

function parseArgs(raw: Buffer, contentType: string | undefined): Record<string, unknown> {
  const text = raw.toString('utf8');
  if (contentType?.includes('application/json'))
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    // The Web API client sends nested values (blocks, view, files) as JSON strings.
    out[key] = /^[[{]/.test(value) ? safeParse(value) : value;
  }
  return out;
}

function safeParse(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
