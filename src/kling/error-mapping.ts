// Turns a failed Kling/CometAPI exchange into a KlingApiError. Pure and table-driven: Kling business
// codes (reference §5.1) first, then CometAPI's HTTP retry matrix (§5.2), then transport failures.
import type { ErrorCode } from '../errors.js';
import { KlingApiError } from '../errors.js';
import { parseRetryAfterMs } from './retry-policy.js';
import { type ProviderError, parseJsonBody, readProviderError } from './schemas.js';
import type { HttpExchange, ResponseHeaders, TransportFailure } from './transport.js';

export interface Operation {
  method: 'GET' | 'POST';
  path: string;
  /**
   * False for the avatar create: resending after a failure that may have reached the provider could
   * create (and bill) a second task, so such failures are flagged ambiguous instead of retried.
   */
  replaySafe: boolean;
}

export interface MappingContext {
  /** Values that must never appear in an error (the API key). */
  secrets: readonly string[];
  nowMs: number;
}

interface Rule {
  code: ErrorCode;
  retryable: boolean;
  /** True when the provider certainly created nothing, so even a create may be resent. */
  refused: boolean;
}

const rule = (code: ErrorCode, retryable = false, refused = true): Rule => ({ code, retryable, refused });

const KLING_CODES: Record<number, Rule> = {
  1000: rule('KLING_AUTH'),
  1001: rule('KLING_AUTH'),
  1002: rule('KLING_AUTH'),
  1003: rule('KLING_AUTH'),
  1004: rule('KLING_AUTH'),
  1100: rule('KLING_ACCOUNT'),
  1101: rule('KLING_ACCOUNT'),
  1102: rule('KLING_ACCOUNT'),
  1103: rule('KLING_FORBIDDEN'),
  1200: rule('KLING_INVALID_REQUEST'),
  1201: rule('KLING_INVALID_REQUEST'),
  1202: rule('KLING_INVALID_REQUEST'),
  1203: rule('KLING_NOT_FOUND'),
  1300: rule('KLING_CONTENT_POLICY'),
  1301: rule('KLING_CONTENT_POLICY'),
  1302: rule('KLING_RATE_LIMITED', true),
  1303: rule('KLING_RATE_LIMITED', true),
  1304: rule('KLING_FORBIDDEN'),
  5000: rule('KLING_UNAVAILABLE', true, false),
  5001: rule('KLING_UNAVAILABLE', true, false),
  5002: rule('KLING_UNAVAILABLE', true, false),
};

// Codes Kling may add later fall back to their family.
const KLING_CODE_FAMILIES: Array<[from: number, to: number, rule: Rule]> = [
  [1000, 1099, rule('KLING_AUTH')],
  [1100, 1199, rule('KLING_ACCOUNT')],
  [1200, 1299, rule('KLING_INVALID_REQUEST')],
  [5000, 5999, rule('KLING_UNAVAILABLE', true, false)],
];

const HTTP_STATUSES: Record<number, Rule> = {
  400: rule('KLING_INVALID_REQUEST'),
  401: rule('KLING_AUTH'),
  402: rule('KLING_ACCOUNT'),
  403: rule('KLING_FORBIDDEN'),
  404: rule('KLING_NOT_FOUND'),
  408: rule('KLING_TIMEOUT', true, false),
  429: rule('KLING_RATE_LIMITED', true),
};
const OTHER_4XX = rule('KLING_INVALID_REQUEST');
const ANY_5XX = rule('KLING_UNAVAILABLE', true, false);
const GARBLED = rule('KLING_BAD_RESPONSE', true, false);

// CometAPI's balance error is undocumented (§5.2); these are the relays' usual words for it.
const BALANCE_TEXT =
  /insufficient (balance|quota|funds|credit)|\bbalance\b|exceeded your current quota|quota (is )?not enough|arrears|余额|额度/i;

const DETAIL_MAX_CHARS = 200;

/** Makes provider text safe to show and log: no secrets, no control characters, bounded length. */
export function sanitizeText(text: string, secrets: readonly string[], max = DETAIL_MAX_CHARS): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('[redacted]');
  out = out
    .replace(/\bBearer\s+\S+/gi, 'Bearer [redacted]')
    .replace(/\bsk-[A-Za-z0-9_-]{8,}/g, 'sk-[redacted]')
    .replace(/\s*\(request id: [^)]*\)/gi, '')
    // Control characters and bidi overrides could garble or disguise the text in a chat client.
    .replace(/[\p{Cc}\u202A-\u202E\u2066-\u2069]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Keeps a request id only if it looks like one and carries no secret. */
export function cleanRequestId(
  candidate: string | undefined,
  secrets: readonly string[],
): string | undefined {
  const clean = candidate?.trim();
  if (!clean || !/^[\w.:-]{1,128}$/.test(clean) || secrets.some((s) => s && clean.includes(s)))
    return undefined;
  return clean;
}

/** Body `request_id`, else CometAPI's "(request id: …)" text, else the `x-request-id` header. */
function findRequestId(provider: ProviderError, headers: ResponseHeaders, secrets: readonly string[]) {
  const fromText = /\(request id: ([^)\s]+)\)/i.exec(provider.message ?? '')?.[1];
  return cleanRequestId(provider.requestId ?? fromText ?? headerValue(headers, 'x-request-id'), secrets);
}

function codeRule(klingCode: number): Rule | undefined {
  return (
    KLING_CODES[klingCode] ??
    KLING_CODE_FAMILIES.find(([from, to]) => klingCode >= from && klingCode <= to)?.[2]
  );
}

function statusRule(status: number, provider: ProviderError): Rule {
  if (status === 500 && provider.cometCode === 'invalid_request') return rule('KLING_INVALID_REQUEST');
  const known = HTTP_STATUSES[status];
  if (known) return known;
  if (status >= 500) return ANY_5XX;
  if (status >= 400) return OTHER_4XX;
  // 2xx without `code: 0`, or a 1xx: nothing we understand, and a create may have gone through.
  return GARBLED;
}

/**
 * Rule for a body we cannot read (not JSON, or too large). Gateways answer rate limits and outages
 * with HTML pages, so their status says more than the body; a 4xx page means the edge refused us.
 */
function unreadableRule(status: number): Rule {
  if (status === 429 || status >= 500) return statusRule(status, {});
  if (status >= 400) return rule('KLING_BAD_RESPONSE');
  return GARBLED;
}

/** Maps an HTTP answer that is not a valid success. `schemaProblem` is set when it claimed success. */
export function mapResponseFailure(
  res: HttpExchange,
  op: Operation,
  ctx: MappingContext,
  schemaProblem?: string,
): KlingApiError {
  const where = `Kling ${op.method} ${op.path}`;
  const { status, headers } = res;
  const retryAfterMs = parseRetryAfterMs(headers, ctx.nowMs);
  const build = (
    r: Rule,
    summary: string,
    extra: { klingCode?: number; requestId?: string; detail?: string },
  ) =>
    new KlingApiError(r.code, `${where} failed: HTTP ${status}, ${summary}`, {
      status,
      klingCode: extra.klingCode,
      requestId: extra.requestId,
      retryAfterMs: r.retryable ? retryAfterMs : undefined,
      retryable: r.retryable,
      ambiguous: !op.replaySafe && !r.refused,
      params: extra.detail === undefined ? {} : { detail: extra.detail },
    });

  if (status >= 300 && status < 400) {
    const location = sanitizeText(headerValue(headers, 'location') ?? 'nowhere', ctx.secrets, 120);
    const detail = `redirected (HTTP ${status}) to ${location}; the base URL is probably wrong`;
    return build(rule('KLING_BAD_RESPONSE'), detail, { detail });
  }
  if (res.text === undefined) {
    return build(unreadableRule(status), 'body larger than the 2 MB limit', {
      detail: 'the answer was too large',
    });
  }
  const json = parseJsonBody(res.text);
  if (typeof json !== 'object' || json === null) {
    const snippet = sanitizeText(res.text, ctx.secrets, 80) || '(empty)';
    return build(unreadableRule(status), `non-JSON body: ${snippet}`, {
      requestId: findRequestId({}, headers, ctx.secrets),
      detail: 'the answer was not JSON',
    });
  }

  const provider = readProviderError(json);
  const requestId = findRequestId(provider, headers, ctx.secrets);
  const message = provider.message ? sanitizeText(provider.message, ctx.secrets) : undefined;
  const klingCode = provider.klingCode;
  const byCode = klingCode === undefined || klingCode === 0 ? undefined : codeRule(klingCode);

  if (!byCode && schemaProblem !== undefined) {
    const problem = sanitizeText(schemaProblem, ctx.secrets);
    return build(GARBLED, `unexpected success body: ${problem}`, { requestId, detail: problem });
  }
  const balance = /quota/i.test(provider.cometCode ?? '') || BALANCE_TEXT.test(message ?? '');
  // An unknown non-zero code on a 2xx is still an explicit refusal, not a garbled answer.
  const refusedOk = klingCode !== undefined && klingCode !== 0 && status < 300;
  const r =
    byCode ??
    (balance
      ? rule('KLING_ACCOUNT')
      : refusedOk
        ? rule('KLING_INVALID_REQUEST')
        : statusRule(status, provider));
  const codeText = klingCode === undefined ? '' : `Kling code ${klingCode}, `;
  const detail = message ?? (klingCode ? `code ${klingCode}` : `HTTP ${status}`);
  return build(r, `${codeText}${message ?? 'no message'}`, { klingCode, requestId, detail });
}

/** Maps a network failure; whether it is ambiguous depends on whether anything was sent. */
export function mapTransportFailure(failure: TransportFailure, op: Operation): KlingApiError {
  const where = `Kling ${op.method} ${op.path}`;
  const sent = failure.kind !== 'unreachable';
  const code: ErrorCode = failure.kind === 'timeout' ? 'KLING_TIMEOUT' : 'KLING_CONNECTION';
  return new KlingApiError(code, `${where} failed: ${failure.message}`, {
    retryable: true,
    ambiguous: !op.replaySafe && sent,
    cause: failure.cause,
  });
}
