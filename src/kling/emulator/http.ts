// Wire-level helpers shared by every route: bounded body reading, JSON replies, and the two error
// envelopes clients must tell apart (Kling's {code,message,request_id,data} and CometAPI's {error}).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cometRequestId, requestId } from './random.js';

/** CometAPI does not document a limit; 20 MB fits a 10 MB image plus a 5 MB audio as Base64. */
export const MAX_BODY_BYTES = 20 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

/** A request parameter problem: 1200 = missing/invalid request, 1201 = invalid value. */
export class ParamError extends Error {
  constructor(
    readonly klingCode: 1200 | 1201,
    message: string,
  ) {
    super(message);
  }
}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    // A client that hangs up mid-upload emits neither 'end' nor always 'error'; without this the
    // promise would stay pending forever. After 'end' the rejection is a no-op.
    req.on('close', () => reject(new Error('request closed before the body was complete')));
  });
}

/**
 * Answers 413 and lets the client finish uploading (discarding the bytes) so it actually reads the
 * answer instead of seeing a reset; a client that keeps sending for too long is cut off.
 */
export function rejectTooLarge(req: IncomingMessage, res: ServerResponse): void {
  sendJson(res, 413, klingBody(1200, 'Request body too large'), { Connection: 'close' });
  req.resume();
  const guard = setTimeout(() => req.socket.destroy(), 10_000);
  req.on('end', () => clearTimeout(guard));
  req.on('close', () => clearTimeout(guard));
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function klingBody(code: number, message: string, data: unknown = null) {
  return { code, message, request_id: requestId(), data };
}

export function sendKlingError(res: ServerResponse, status: number, code: number, message: string): void {
  sendJson(res, status, klingBody(code, message));
}

export function sendSuccess(res: ServerResponse, data: unknown): void {
  sendJson(res, 200, klingBody(0, 'SUCCEED', data));
}

/** CometAPI's own gateway envelope, used for auth failures and unknown routes. */
export function sendCometError(res: ServerResponse, status: number, message: string, code = ''): void {
  sendJson(res, status, {
    error: {
      message: `${message} (request id: ${cometRequestId()})`,
      type: 'comet_api_error',
      param: '',
      code,
    },
  });
}

/** Any non-empty bearer token passes unless a key is configured, then it must match exactly. */
export function isAuthorized(req: IncomingMessage, apiKey: string | undefined): boolean {
  const match = /^Bearer\s+(\S.*)$/i.exec(req.headers.authorization ?? '');
  const token = match?.[1]?.trim();
  if (!token) return false;
  return apiKey === undefined || token === apiKey;
}

/** Parses a request body that must be a JSON object; anything else is Kling's 1200. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ParamError(1200, 'Request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ParamError(1200, 'Request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** Best-effort peek used only for statistics; never throws. */
export function tryParseJsonObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    return parseJsonObject(body);
  } catch {
    return undefined;
  }
}
