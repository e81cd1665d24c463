// HTTP interactions mode: POST /discord/interactions on the core's server. Every request is size-capped
// and signature-checked before it is parsed; the first response goes back as the HTTP body, which is
// the fastest way to meet the 3-second rule and needs no outbound call.
import type { IncomingMessage } from 'node:http';
import { type HttpServer, readBody, sendJson } from '../../src/http/server.js';
import { t } from '../../src/i18n/catalog.js';
import type { Logger } from '../../src/logger.js';
import { sanitize } from './discord-api.js';
import type { InteractionHandler } from './interaction-handler.js';
import { ephemeral } from './messages.js';
import type { Verifier } from './verify.js';

export const INTERACTIONS_PATH = '/discord/interactions';
/** Interaction payloads are a few kB; a resolved target message with content stays well under this. */
export const INTERACTION_MAX_BYTES = 512 * 1024;
/** A safety net well inside Discord's 3 s: if no answer was produced by then, say something generic. */
const ANSWER_DEADLINE_MS = 2_500;

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export interface InteractionRoute {
  /** After this, requests get 503 so a load balancer moves them to another instance. */
  stop(): void;
}

export function registerInteractionRoute(
  server: HttpServer,
  handler: InteractionHandler,
  verify: Verifier,
  logger: Logger,
): InteractionRoute {
  let stopped = false;
  server.route('POST', INTERACTIONS_PATH, async (req, res) => {
    if (stopped) return sendJson(res, 503, { error: 'shutting down' });
    const body = await readBody(req, INTERACTION_MAX_BYTES);
    const check = await verify(
      body,
      header(req, 'x-signature-ed25519'),
      header(req, 'x-signature-timestamp'),
    );
    if (!check.ok) {
      logger.warn({ reason: check.reason }, 'discord interaction signature rejected');
      return sendJson(res, 401, { error: 'invalid request signature' });
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return sendJson(res, 400, { error: 'invalid json' });
    }
    let answered = false;
    const respond = async (response: object) => {
      if (answered) return;
      answered = true;
      sendJson(res, 200, response);
    };
    // `null` is valid JSON too: read the locale only from an object (a signed `null` used to give 500).
    const locale = json && typeof json === 'object' ? (json as { locale?: unknown }).locale : undefined;
    const fallback = () =>
      respond(ephemeral(t(typeof locale === 'string' ? locale : undefined, 'error.INTERNAL')));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), ANSWER_DEADLINE_MS);
    });
    try {
      const outcome = await Promise.race([handler.handle(json, respond), late]);
      if (outcome === false && !answered) return sendJson(res, 400, { error: 'not an interaction' });
      if (!answered) {
        logger.error({ outcome }, 'discord interaction produced no answer in time');
        await fallback();
      }
    } catch (error) {
      logger.error({ err: sanitize(error) }, 'discord interaction handler failed');
      await fallback();
    } finally {
      clearTimeout(timer);
    }
  });
  return {
    stop() {
      stopped = true;
    },
  };
}
