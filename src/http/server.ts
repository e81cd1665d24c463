// The one HTTP server for everything inbound: provider callbacks, health, media links, and the
// adapters' routes (Discord interactions, Slack events), which register themselves with `route`.
// On shutdown it drains: no new connections, 503 + `connection: close` for requests that arrive on
// open sockets, and the requests already being handled finish (their platform acks included).
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.js';

export type RouteParams = Record<string, string>;
export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: RouteParams,
) => Promise<void> | void;

interface Route {
  method: string;
  segments: string[];
  handler: RouteHandler;
}

export class BodyTooLargeError extends Error {}

/** Reads the whole body, refusing more than `maxBytes` (checked on Content-Length and while reading). */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) throw new BodyTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

/** What a drain saw, for the shutdown log and tests. */
export interface DrainReport {
  /** Requests being handled when the drain started. */
  inFlight: number;
  /** Requests that arrived during the drain and got 503. */
  refused: number;
  /** Requests still unfinished when the budget ran out (their connections were cut). */
  unfinished: number;
  ms: number;
}

/** Used when close() is called without a drain first (tests, the app's own close). */
const DEFAULT_DRAIN_MS = 8_000;

export class HttpServer {
  private readonly routes: Route[] = [];
  private readonly server: Server;
  /** One entry per request from dispatch until both its handler and its response are done. */
  private readonly active = new Set<{ res: ServerResponse; done: Promise<unknown> }>();
  private draining = false;
  private refused = 0;
  private drained: Promise<DrainReport> | undefined;

  constructor(private readonly logger: Logger) {
    this.server = createServer((req, res) => {
      if (this.draining) return this.refuse(req, res);
      // A handler may return before its response ends (a piped /media stream), so wait for both.
      const entry = { res, done: Promise.all([this.dispatch(req, res), once(res, 'close')]) };
      this.active.add(entry);
      void entry.done.finally(() => this.active.delete(entry));
    });
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 30_000;
  }

  /** Registers a handler; `:name` segments become params. */
  route(method: string, pattern: string, handler: RouteHandler): void {
    this.routes.push({ method, segments: pattern.split('/').filter(Boolean), handler });
  }

  async listen(host: string, port: number): Promise<{ url: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    return { url: `http://${shownHost}:${address.port}`, port: address.port };
  }

  /**
   * Stops accepting connections and waits up to `budgetMs` for the requests already being handled;
   * whatever is still open then is cut. Idempotent: later calls get the first drain's report.
   */
  drain(budgetMs = DEFAULT_DRAIN_MS): Promise<DrainReport> {
    this.drained ??= this.runDrain(budgetMs);
    return this.drained;
  }

  async close(): Promise<void> {
    await this.drain();
  }

  private async runDrain(budgetMs: number): Promise<DrainReport> {
    const started = Date.now();
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    // Sockets busy now are closed by Node right after their response, instead of lingering kept-alive.
    for (const { res } of this.active) if (!res.headersSent) res.setHeader('connection', 'close');
    const inFlight = this.active.size;
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, budgetMs);
    });
    await Promise.race([Promise.allSettled([...this.active].map((a) => a.done)), budget]);
    clearTimeout(timer);
    const unfinished = this.active.size;
    this.server.closeAllConnections();
    await closed;
    const report = { inFlight, refused: this.refused, unfinished, ms: Date.now() - started };
    if (unfinished > 0) this.logger.warn(report, 'http server drained; unfinished requests were cut');
    else this.logger.info(report, 'http server drained');
    return report;
  }

  /** During a drain: a clear, retryable refusal, so a load balancer or the platform tries elsewhere. */
  private refuse(req: IncomingMessage, res: ServerResponse): void {
    this.refused += 1;
    req.resume();
    const payload = JSON.stringify({ error: 'shutting down' });
    res.writeHead(503, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      connection: 'close',
      'retry-after': '5',
    });
    res.end(payload);
  }

  private match(method: string, path: string): { route: Route; params: RouteParams } | undefined {
    const parts = path.split('/').filter(Boolean);
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== parts.length) continue;
      const params: RouteParams = {};
      const ok = route.segments.every((seg, i) => {
        const part = parts[i] ?? '';
        if (seg.startsWith(':')) {
          params[seg.slice(1)] = decodeURIComponent(part);
          return true;
        }
        return seg === part;
      });
      if (ok) return { route, params };
    }
    return undefined;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let found: ReturnType<HttpServer['match']>;
    try {
      found = this.match(req.method ?? 'GET', path);
    } catch {
      found = undefined; // malformed percent-encoding
    }
    if (!found) {
      sendJson(res, 404, { error: 'not found' });
      return;
    }
    try {
      await found.route.handler(req, res, found.params);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        if (!res.headersSent) sendJson(res, 413, { error: 'body too large' });
        req.resume();
        return;
      }
      this.logger.error({ err: error, path: found.route.segments.join('/') }, 'http handler failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    }
  }
}
