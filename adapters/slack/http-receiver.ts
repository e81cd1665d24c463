// A Bolt Receiver that takes Slack's HTTP requests from the core's HttpServer at POST /slack/events,
// so Slack shares the bot's one port: it caps the body, checks the signature, answers ssl_check and
// url_verification itself, and hands everything else to Bolt with an ack that answers the request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App as BoltApp, Receiver, ReceiverEvent } from '@slack/bolt';
import { type HttpServer, readBody } from '../../src/http/server.js';
import type { Logger } from '../../src/logger.js';
import { createHttpAck, UNHANDLED_REQUEST_TIMEOUT_MS } from './http-ack.js';
import { verifySlackSignature } from './verify-signature.js';

export const SLACK_EVENTS_PATH = '/slack/events';
/** Interactivity payloads with a full modal state stay far below this; Bolt's own default is 10 MB. */
export const SLACK_BODY_LIMIT_BYTES = 1024 * 1024;

export interface CoreHttpReceiverOptions {
  server: HttpServer;
  signingSecret: string;
  logger: Logger;
  path?: string;
  bodyLimitBytes?: number;
  ackTimeoutMs?: number;
  now?: () => number;
}

type Body = Record<string, unknown>;

export class CoreHttpReceiver implements Receiver {
  private app: BoltApp | undefined;
  private running = false;
  private registered = false;

  constructor(private readonly options: CoreHttpReceiverOptions) {}

  init(app: BoltApp): void {
    this.app = app;
    // HttpServer cannot remove a route, so the route stays and answers 503 while stopped.
    if (this.registered) return;
    this.registered = true;
    this.options.server.route('POST', this.options.path ?? SLACK_EVENTS_PATH, (req, res) =>
      this.handle(req, res),
    );
  }

  async start(): Promise<void> {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { logger } = this.options;
    if (!this.running || !this.app) return reply(res, 503);
    const rawBody = await readBody(req, this.options.bodyLimitBytes ?? SLACK_BODY_LIMIT_BYTES);
    const check = verifySlackSignature({
      signingSecret: this.options.signingSecret,
      rawBody,
      timestamp: header(req, 'x-slack-request-timestamp'),
      signature: header(req, 'x-slack-signature'),
      nowMs: (this.options.now ?? Date.now)(),
    });
    if (!check.ok) {
      logger.warn({ reason: check.reason }, 'slack request refused: bad signature');
      return reply(res, 401);
    }
    const body = parseBody(rawBody, header(req, 'content-type'));
    if (!body || !hasExpectedShape(body)) {
      logger.warn('slack request refused: malformed body');
      return reply(res, 400);
    }
    if (body.ssl_check === '1') return reply(res, 200);
    if (body.type === 'url_verification') {
      const challenge = typeof body.challenge === 'string' ? body.challenge : '';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ challenge }));
      return;
    }
    const ack = createHttpAck(res, logger, this.options.ackTimeoutMs ?? UNHANDLED_REQUEST_TIMEOUT_MS);
    const retryNum = Number(header(req, 'x-slack-retry-num'));
    const retryReason = header(req, 'x-slack-retry-reason');
    const event: ReceiverEvent = {
      body,
      ack: ack.ack,
      ...(Number.isInteger(retryNum) && retryNum > 0 ? { retryNum } : {}),
      ...(retryReason ? { retryReason } : {}),
    };
    try {
      await this.app.processEvent(event);
      // No listener matched (Bolt does not ack then): Slack still wants an answer, and an empty
      // 200 closes a modal or shows nothing, which beats a timeout error in the user's face.
      ack.finish(200);
    } catch (error) {
      logger.error({ err: error }, 'slack event processing failed');
      ack.finish(500);
    }
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function reply(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-length': 0 });
  res.end();
}

/** Slash commands and interactivity come form-encoded (the latter as `payload=<json>`), events as JSON. */
export function parseBody(raw: Buffer, contentType: string | undefined): Body | undefined {
  const text = raw.toString('utf8');
  try {
    if (contentType?.startsWith('application/json')) return asObject(JSON.parse(text));
    const form = new URLSearchParams(text);
    const payload = form.get('payload');
    if (payload !== null) return asObject(JSON.parse(payload));
    return Object.fromEntries(form);
  } catch {
    return undefined;
  }
}

/**
 * Interactivity types whose parts Bolt reads without checking. Only Slack can sign a request, but a
 * signed body without them is still malformed: a 400, not a TypeError inside Bolt and a 500.
 */
function hasExpectedShape(body: Body): boolean {
  if (body.type === 'view_submission' || body.type === 'view_closed')
    return asObject(body.view) !== undefined;
  if (body.type === 'block_actions') return Array.isArray(body.actions);
  if (body.type === 'shortcut' || body.type === 'message_action') return typeof body.callback_id === 'string';
  return true;
}

function asObject(value: unknown): Body | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Body) : undefined;
}
