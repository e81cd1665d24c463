// The core's own routes: Kling callbacks (a hint to poll, never trusted as fact), health, and the
// expiring /media/<token> links.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { AvatarService } from '../core/avatar-service.js';
import type { JobStore } from '../jobs/job-store.js';
import type { Logger } from '../logger.js';
import { type HttpServer, readBody, sendJson } from './server.js';

/** Callback bodies are small JSON task objects; anything bigger is not from the provider. */
export const CALLBACK_MAX_BYTES = 64 * 1024;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export interface CoreRouteDeps {
  service: AvatarService;
  store: JobStore;
  logger: Logger;
  klingTarget: 'emulator' | 'cometapi';
}

export function registerCoreRoutes(server: HttpServer, deps: CoreRouteDeps): void {
  server.route('POST', '/kling/callback/:token', async (req, res, params) => {
    const token = params.token ?? '';
    const body = await readBody(req, CALLBACK_MAX_BYTES);
    if (!TOKEN_PATTERN.test(token) || !(await deps.service.handleCallback(token))) {
      sendJson(res, 404, { error: 'unknown callback' });
      return;
    }
    deps.logger.debug({ status: peekStatus(body) }, 'kling callback received');
    sendJson(res, 200, { ok: true });
  });

  server.route('GET', '/healthz', async (_req, res) => {
    const storeOk = await deps.store.ping();
    sendJson(res, storeOk ? 200 : 503, {
      ok: storeOk,
      store: storeOk ? 'up' : 'down',
      kling: deps.klingTarget,
    });
  });

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

function peekStatus(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { task_status?: unknown };
    return typeof parsed.task_status === 'string' ? parsed.task_status.slice(0, 20) : undefined;
  } catch {
    return undefined;
  }
}
