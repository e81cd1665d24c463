// A fake Discord gateway on 127.0.0.1: GET /api/v10/gateway/bot (what discord.js asks before it
// connects) and a WebSocket speaking gateway v10 JSON (HELLO, IDENTIFY, READY, heartbeat ACK), so a
// real discord.js Client can log in, and a test can read the IDENTIFY each shard sent.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { snowflake } from './fake-discord-payloads.js';

export interface Identify {
  token: string;
  intents: number;
  /** [shard id, shard count] as discord.js sent it. */
  shard: [number, number] | undefined;
}

const OP = { dispatch: 0, heartbeat: 1, identify: 2, hello: 10, heartbeatAck: 11 } as const;

export class FakeDiscordGateway {
  readonly identifies: Identify[] = [];
  /** Shards recommended by GET /gateway/bot, which discord.js uses for DISCORD_SHARDS=auto. */
  recommendedShards = 1;
  private server!: Server;
  private wss!: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();
  url = '';

  constructor(
    readonly botToken = 'fake-gateway-token-0123456789',
    readonly applicationId = snowflake(),
  ) {}

  static async start(botToken?: string): Promise<FakeDiscordGateway> {
    const fake = new FakeDiscordGateway(botToken);
    fake.wss = new WebSocketServer({ noServer: true });
    fake.server = createServer((req, res) => {
      if (req.method === 'GET' && req.url?.startsWith('/api/v10/gateway/bot')) {
        const ok = req.headers.authorization === `Bot ${fake.botToken}`;
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
        res.end(JSON.stringify(ok ? fake.gatewayInfo() : { code: 0, message: '401: Unauthorized' }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 0, message: '404: Not Found' }));
    });
    fake.server.on('upgrade', (req, socket, head) => {
      fake.wss.handleUpgrade(req, socket, head, (ws) => fake.session(ws));
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** What DISCORD_API_URL should be set to. */
  get apiUrl(): string {
    return `${this.url}/api`;
  }

  async waitForIdentifies(count: number, timeoutMs = 10_000): Promise<Identify[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.identifies.length < count) {
      if (Date.now() > deadline)
        throw new Error(`fake gateway: ${this.identifies.length}/${count} IDENTIFYs`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.identifies.slice(0, count);
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private gatewayInfo() {
    return {
      url: this.url.replace(/^http/, 'ws'),
      shards: this.recommendedShards,
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 86_400_000, max_concurrency: 16 },
    };
  }

  private session(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    const send = (payload: object) => ws.send(JSON.stringify(payload));
    // A long interval: the tests end long before the first heartbeat would be due.
    send({ op: OP.hello, d: { heartbeat_interval: 45_000 }, s: null, t: null });
    let sequence = 0;
    ws.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { op: number; d: Record<string, unknown> };
      if (message.op === OP.heartbeat) send({ op: OP.heartbeatAck, d: null, s: null, t: null });
      if (message.op !== OP.identify) return;
      const d = message.d as { token: string; intents: number; shard?: [number, number] };
      this.identifies.push({ token: d.token, intents: d.intents, shard: d.shard });
      if (d.token !== this.botToken) {
        ws.close(4004, 'Authentication failed.');
        return;
      }
      sequence += 1;
      send({
        op: OP.dispatch,
        t: 'READY',
        s: sequence,
        d: {
          v: 10,
          user: {
            id: this.applicationId,
            username: 'avatar-bot',
            discriminator: '0',
            bot: true,
            avatar: null,
          },
          guilds: [],
          session_id: `session-${snowflake()}`,
          resume_gateway_url: this.url.replace(/^http/, 'ws'),
          shard: d.shard,
          application: { id: this.applicationId, flags: 0 },
        },
      });
    });
  }
}
