// The `ack()` Bolt hands to listeners in HTTP mode: the first call writes the HTTP response at once
// (that is Slack's 3-second acknowledgement); a request nobody acknowledges is closed by a timer.
import type { ServerResponse } from 'node:http';
import type { AckFn } from '@slack/bolt';
import type { Logger } from '../../src/logger.js';

/** Bolt's own receivers use 3001 ms: Slack has given up by then, so waiting longer helps nobody. */
export const UNHANDLED_REQUEST_TIMEOUT_MS = 3_001;

export interface HttpAck {
  // biome-ignore lint/suspicious/noExplicitAny: Bolt's Receiver contract types ack bodies as any
  ack: AckFn<any>;
  readonly acknowledged: boolean;
  /** Answers now if no listener did (processing ended or failed without an ack). */
  finish(status: number): void;
}

export function createHttpAck(
  res: ServerResponse,
  logger: Logger,
  timeoutMs = UNHANDLED_REQUEST_TIMEOUT_MS,
): HttpAck {
  let acknowledged = false;
  const timer = setTimeout(() => {
    if (acknowledged) return;
    logger.warn({ timeoutMs }, 'slack request was not acknowledged in time');
    respond(404, undefined);
  }, timeoutMs);
  timer.unref();

  function respond(status: number, body: unknown): void {
    acknowledged = true;
    clearTimeout(timer);
    if (res.headersSent || res.writableEnded) return;
    if (body === undefined || body === '') {
      res.writeHead(status, { 'content-length': 0 });
      res.end();
    } else if (typeof body === 'string') {
      res.writeHead(status, {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    } else {
      const json = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(json),
      });
      res.end(json);
    }
  }

  return {
    async ack(body?: unknown) {
      if (acknowledged) {
        logger.debug('slack ack called twice; the second call is ignored');
        return;
      }
      respond(200, body);
    },
    get acknowledged() {
      return acknowledged;
    },
    finish(status: number) {
      if (!acknowledged) respond(status, undefined);
    },
  };
}
