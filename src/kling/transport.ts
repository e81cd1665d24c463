// One HTTP exchange over undici: no redirects, one time budget for connect + headers + body, and a
// body size cap. Failures are classified by whether the request may have reached the server.
import { type Dispatcher, request } from 'undici';

/** Large enough for any task JSON, small enough that a hostile server cannot exhaust memory. */
export const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;

export type ResponseHeaders = Record<string, string | string[] | undefined>;

export interface HttpExchange {
  status: number;
  headers: ResponseHeaders;
  /** The body as text; `undefined` when it was larger than the cap and was discarded. */
  text: string | undefined;
}

/**
 * - `timeout`: the budget ran out; the request may have been processed.
 * - `unreachable`: no connection was made, so nothing was sent; always safe to retry.
 * - `connection-lost`: the connection broke after it was made; the request may have been processed.
 */
export type TransportFailureKind = 'timeout' | 'unreachable' | 'connection-lost';

export class TransportFailure extends Error {
  constructor(
    readonly kind: TransportFailureKind,
    readonly errorCode: string | undefined,
    options: { cause: unknown },
  ) {
    super(`${kind}${errorCode ? ` (${errorCode})` : ''}`, options);
    this.name = 'TransportFailure';
  }
}

// Errors raised before any byte of the request left this host.
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TLS_CODE = /CERT|TLS|SSL/;
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Error codes on the error, its causes, and inside AggregateErrors (Happy Eyeballs connects). */
function errorCodes(error: unknown, depth = 0): string[] {
  if (depth > 4 || typeof error !== 'object' || error === null) return [];
  const own = (error as { code?: unknown }).code;
  const codes = typeof own === 'string' ? [own] : [];
  codes.push(...errorCodes((error as { cause?: unknown }).cause, depth + 1));
  if (error instanceof AggregateError) for (const e of error.errors) codes.push(...errorCodes(e, depth + 1));
  return codes;
}

export function classifyTransportError(error: unknown, timedOut: boolean): TransportFailure {
  const codes = errorCodes(error);
  const code = codes[0];
  if (timedOut || codes.some((c) => TIMEOUT_CODES.has(c)))
    return new TransportFailure('timeout', code, { cause: error });
  if (codes.length > 0 && codes.every((c) => UNREACHABLE_CODES.has(c) || TLS_CODE.test(c)))
    return new TransportFailure('unreachable', code, { cause: error });
  return new TransportFailure('connection-lost', code, { cause: error });
}

async function readCapped(
  body: Dispatcher.ResponseData['body'],
  declared: number,
): Promise<string | undefined> {
  if (declared > MAX_RESPONSE_BYTES) {
    body.destroy();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface ExchangeRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
}

/**
 * Sends one request. Throws TransportFailure for network trouble, and the caller's abort reason
 * unchanged if the caller's signal fired. HTTP error statuses are returned, not thrown.
 */
export async function exchange(req: ExchangeRequest): Promise<HttpExchange> {
  const budget = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, budget]) : budget;
  try {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
      ...(req.dispatcher ? { dispatcher: req.dispatcher } : {}),
    });
    const declared = Number(res.headers['content-length'] ?? 0);
    return { status: res.statusCode, headers: res.headers, text: await readCapped(res.body, declared) };
  } catch (error) {
    if (req.signal?.aborted) throw req.signal.reason;
    throw classifyTransportError(error, budget.aborted);
  }
}
