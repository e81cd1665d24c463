// The core's own routes: Kling callbacks (a hint to poll, never trusted as fact), health, Prometheus
// metrics, and the expiring /media/<token> links.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { AvatarService } from '../core/avatar-service.js';
import type { JobStore } from '../jobs/job-store.js';
import type { Reachability } from '../kling/reachability.js';
import type { Logger } from '../logger.js';
import { type HttpServer, readBody, sendJson } from './server.js';

/** Callback bodies are small JSON task objects; anything bigger is not from the provider. */
export const CALLBACK_MAX_BYTES = 64 * 1024;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
/** A store that has not answered by then counts as down (a Redis outage must not hang health checks). */
export const STORE_PING_TIMEOUT_MS = 2_500;

export interface CoreRouteDeps {
  service: AvatarService;
  store: JobStore;
  logger: Logger;
  klingTarget: 'emulator' | 'cometapi';
  /** Cached reachability of the Kling base URL; without it /healthz reports only the target. */
  klingProbe?: { check(): Promise<Reachability> };
  /** Serves GET /metrics when present. */
  metrics?: { contentType: string; render(): Promise<string> };
}

export function registerCoreRoutes(server: HttpServer, deps: CoreRouteDeps): void {
  server.route('POST', '/kling/callback/:token', async (req, res, params) => {
    const token = params.token ?? '';
    const body = await readBody(req, CALLBACK_MAX_BYTES);
    const status = peekStatus(body);
    if (!TOKEN_PATTERN.test(token) || !(await deps.service.handleCallback(token, status))) {
      sendJson(res, 404, { error: 'unknown callback' });
      return;
    }
    deps.logger.debug({ status }, 'kling callback received');
    sendJson(res, 200, { ok: true });
  });

  // Only the store decides the status code. An unreachable Kling endpoint is reported but still 200:
  // every instance shares the provider, so failing health checks would make an orchestrator restart
  // (or a load balancer drop) all of them during a provider outage, which fixes nothing. Jobs already
  // wait and retry through such outages on their own.
  server.route('GET', '/healthz', async (_req, res) => {
    const [storeOk, reachability] = await Promise.all([
      withTimeout(deps.store.ping(), STORE_PING_TIMEOUT_MS, false),
      deps.klingProbe?.check(),
    ]);
    // Only the target's kind and the probe's outcome: never the base URL or the key.
    sendJson(res, storeOk ? 200 : 503, {
      ok: storeOk,
      store: storeOk ? 'up' : 'down',
      kling: { target: deps.klingTarget, ...reachability },
    });
  });

  const metrics = deps.metrics;
  if (metrics) {
    server.route('GET', '/metrics', async (_req, res) => {
      const text = await metrics.render();
      res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  }

  server.route('GET', '/media/:token', async (_req, res, params) => {
    const token = params.token ?? '';
    const entry = TOKEN_PATTERN.test(token) ? await deps.store.getMedia(token) : undefined;
    const info = entry ? await stat(entry.path).catch(() => undefined) : undefined;
    if (!entry || !info) {
      sendJson(res, 404, { error: 'not found or expired' });
      return;
    }
    res.writeHead(200, {
      'content-type': entry.contentType,
      'content-length': info.size,
      'cache-control': 'private, no-store',
    });
    createReadStream(entry.path).pipe(res);
  });
}

function withTimeout<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function peekStatus(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { task_status?: unknown };
    return typeof parsed.task_status === 'string' ? parsed.task_status.slice(0, 20) : undefined;
  } catch {
    return undefined;
  }
}
