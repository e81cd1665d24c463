// Error mapping over real HTTP: every Kling business code with its documented status (reference
// §5.1), CometAPI's envelope and retry matrix (§5.2), the nested TTS wrapper (§4), and odd bodies.
import { describe, expect, test } from 'vitest';
import { t } from '../src/i18n/catalog.js';
import {
  cometError,
  captureFailure as failure,
  klingError,
  klingOk,
  LOGIN_PAGE,
  SAMPLE_AVATAR_BODY,
  type ScriptedResponse,
  TASK_ID,
  useFakeCometApi,
  VOICE_NOT_FOUND,
} from './fakes/fake-cometapi.js';

const BODY = SAMPLE_AVATAR_BODY;
const fake = useFakeCometApi();
const client = (overrides: Parameters<typeof fake.client>[0] = {}) => fake.client(overrides);

interface Case {
  name: string;
  response: ScriptedResponse;
  code: string;
  retryable: boolean;
  /** For a create. A GET is never ambiguous. */
  ambiguous: boolean;
  klingCode?: number;
  requestId?: string;
  detail?: string;
}

const kling = (
  status: number,
  code: number,
  message: string,
  expected: string,
  retryable = false,
  ambiguous = false,
): Case => ({
  name: `HTTP ${status} / Kling ${code}`,
  response: klingError(status, code, message),
  code: expected,
  retryable,
  ambiguous,
  klingCode: code,
  requestId: `req-${code}`,
});

// Reference §5.1: every business code with its documented HTTP status.
const KLING_CASES: Case[] = [
  kling(401, 1000, 'Authentication failed', 'KLING_AUTH'),
  kling(401, 1001, 'Authorization is empty', 'KLING_AUTH'),
  kling(401, 1002, 'Authorization is invalid', 'KLING_AUTH'),
  kling(401, 1003, 'Authorization is not yet valid', 'KLING_AUTH'),
  kling(401, 1004, 'Authorization has expired', 'KLING_AUTH'),
  kling(429, 1100, 'Account exception', 'KLING_ACCOUNT'),
  kling(429, 1101, 'Account in arrears', 'KLING_ACCOUNT'),
  kling(429, 1102, 'Resource pack depleted or expired', 'KLING_ACCOUNT'),
  kling(403, 1103, 'Unauthorized access to requested resource', 'KLING_FORBIDDEN'),
  {
    ...kling(400, 1200, 'Invalid request parameters', 'KLING_INVALID_REQUEST'),
    detail: 'Invalid request parameters',
  },
  { ...kling(400, 1201, 'image: size too small', 'KLING_INVALID_REQUEST'), detail: 'image: size too small' },
  kling(404, 1202, 'Invalid request method', 'KLING_INVALID_REQUEST'),
  kling(404, 1203, 'Requested resource does not exist', 'KLING_NOT_FOUND'),
  kling(400, 1300, 'Trigger platform strategy', 'KLING_CONTENT_POLICY'),
  kling(400, 1301, 'Trigger the content security policy', 'KLING_CONTENT_POLICY'),
  kling(429, 1302, 'API request too fast', 'KLING_RATE_LIMITED', true),
  kling(429, 1303, 'parallel task over resource pack limit', 'KLING_RATE_LIMITED', true),
  kling(429, 1304, 'Trigger IP whitelist policy', 'KLING_FORBIDDEN'),
  kling(500, 5000, 'Server internal error', 'KLING_UNAVAILABLE', true, true),
  kling(503, 5001, 'Server temporarily unavailable', 'KLING_UNAVAILABLE', true, true),
  kling(504, 5002, 'Server internal timeout', 'KLING_UNAVAILABLE', true, true),
  {
    ...kling(200, 1201, 'voice_speed out of range', 'KLING_INVALID_REQUEST'),
    name: 'HTTP 200 with a Kling error code',
  },
  {
    ...kling(400, 1299, 'some new parameter check', 'KLING_INVALID_REQUEST'),
    name: 'unknown 12xx code falls back to its family',
  },
  {
    ...kling(200, 1399, 'some new policy', 'KLING_INVALID_REQUEST'),
    name: 'unknown code on HTTP 200 is a refusal',
  },
  {
    ...kling(429, 1399, 'new limit', 'KLING_RATE_LIMITED', true),
    name: 'unknown code on HTTP 429 follows the status',
  },
];

// Reference §5.2: CometAPI's own envelope, plus the nested wrapper of §4 and undocumented guesses.
const COMET_CASES: Case[] = [
  {
    name: 'CometAPI 401',
    response: cometError(401, 'Invalid token (request id: 2025010112345678)'),
    code: 'KLING_AUTH',
    retryable: false,
    ambiguous: false,
    requestId: '2025010112345678',
  },
  {
    name: 'CometAPI 403',
    response: cometError(403, 'access denied'),
    code: 'KLING_FORBIDDEN',
    retryable: false,
    ambiguous: false,
  },
  {
    name: 'CometAPI 400',
    response: cometError(400, 'mode must be std or pro (request id: abc-1)', 'invalid_request'),
    code: 'KLING_INVALID_REQUEST',
    retryable: false,
    ambiguous: false,
    requestId: 'abc-1',
    detail: 'mode must be std or pro',
  },
  {
    name: 'CometAPI 429',
    response: cometError(429, 'too many requests'),
    code: 'KLING_RATE_LIMITED',
    retryable: true,
    ambiguous: false,
  },
  {
    name: 'CometAPI 500 invalid_request',
    response: cometError(500, 'bad image field', 'invalid_request'),
    code: 'KLING_INVALID_REQUEST',
    retryable: false,
    ambiguous: false,
    detail: 'bad image field',
  },
  ...[500, 502, 503, 504, 524].map(
    (status): Case => ({
      name: `CometAPI ${status}`,
      response: cometError(status, 'upstream error'),
      code: 'KLING_UNAVAILABLE',
      retryable: true,
      ambiguous: true,
    }),
  ),
  {
    name: 'nested TTS voice error',
    response: VOICE_NOT_FOUND,
    code: 'KLING_INVALID_REQUEST',
    retryable: false,
    ambiguous: false,
    klingCode: 1201,
    requestId: 'ed47-voice',
    detail: 'Voice id not found',
  },
  {
    name: 'HTTP 402 (balance guess)',
    response: cometError(402, 'payment required'),
    code: 'KLING_ACCOUNT',
    retryable: false,
    ambiguous: false,
  },
  {
    name: 'quota code on a 403 (new-api style)',
    response: cometError(403, 'user quota is not enough', 'insufficient_user_quota'),
    code: 'KLING_ACCOUNT',
    retryable: false,
    ambiguous: false,
  },
  {
    name: 'insufficient balance text on a 429',
    response: cometError(429, 'Insufficient balance, please top up'),
    code: 'KLING_ACCOUNT',
    retryable: false,
    ambiguous: false,
  },
  {
    name: 'HTML login page',
    response: LOGIN_PAGE,
    code: 'KLING_BAD_RESPONSE',
    retryable: true,
    ambiguous: true,
  },
  {
    name: 'Cloudflare 524 HTML page',
    response: { status: 524, body: '<html><body>A timeout occurred</body></html>' },
    code: 'KLING_UNAVAILABLE',
    retryable: true,
    ambiguous: true,
  },
  {
    name: '404 HTML page (wrong path)',
    response: { status: 404, body: '<html>Not Found</html>' },
    code: 'KLING_BAD_RESPONSE',
    retryable: false,
    ambiguous: false,
  },
  {
    name: 'truncated JSON',
    response: { body: '{"code":0,"message":"SUCCEED","data":{"task_id":"8781' },
    code: 'KLING_BAD_RESPONSE',
    retryable: true,
    ambiguous: true,
  },
  {
    name: 'code 0 without a task id',
    response: klingOk({ task_status: 'submitted' }),
    code: 'KLING_BAD_RESPONSE',
    retryable: true,
    ambiguous: true,
    requestId: 'req-ok-1',
  },
  {
    name: '2xx without any code',
    response: { body: { hello: 'world' } },
    code: 'KLING_BAD_RESPONSE',
    retryable: true,
    ambiguous: true,
  },
  {
    name: 'body over the 2 MB cap',
    response: { body: `{"pad":"${'x'.repeat(2_200_000)}"}` },
    code: 'KLING_BAD_RESPONSE',
    retryable: true,
    ambiguous: true,
  },
];

describe('error mapping', () => {
  test.each([...KLING_CASES, ...COMET_CASES])('create: $name → $code', async (c) => {
    fake.api.enqueue(c.response);
    const error = await failure(client().createAvatarTask(BODY));
    expect(error.code).toBe(c.code);
    expect(error.retryable).toBe(c.retryable);
    expect(error.ambiguous).toBe(c.ambiguous);
    expect(error.status).toBe(c.response.status ?? 200);
    expect(error.klingCode).toBe(c.klingCode);
    if (c.requestId) expect(error.requestId).toBe(c.requestId);
    if (c.detail) expect(error.params.detail).toBe(c.detail);
    // Every user-facing sentence is complete: no placeholder is left unfilled.
    expect(t('en', `error.${error.code}` as Parameters<typeof t>[1], error.params)).not.toMatch(/\{\w+\}/);
    expect(fake.api.requests).toHaveLength(1);
  });

  test.each(COMET_CASES.filter((c) => c.ambiguous))('query: $name is never ambiguous', async (c) => {
    fake.api.enqueue(c.response);
    const error = await failure(client().getAvatarTask(TASK_ID));
    expect(error.code).toBe(c.code);
    expect(error.ambiguous).toBe(false);
  });

  test('404 with Kling code 1203 on a query is KLING_NOT_FOUND', async () => {
    fake.api.enqueue(klingError(404, 1203, 'task not found'));
    const error = await failure(client({ maxRetries: 3 }).getAvatarTask('missing'));
    expect(error.code).toBe('KLING_NOT_FOUND');
    expect(error.retryable).toBe(false);
    expect(fake.api.requests).toHaveLength(1);
  });

  test('a 301 redirect is not followed and points at the base URL', async () => {
    fake.api.enqueue({ status: 301, headers: { location: 'https://www.cometapi.com/login' }, body: '' });
    const error = await failure(client({ maxRetries: 3 }).getAvatarTask(TASK_ID));
    expect(error.code).toBe('KLING_BAD_RESPONSE');
    expect(error.retryable).toBe(false);
    expect(error.params.detail).toContain('base URL');
    expect(error.params.detail).toContain('https://www.cometapi.com/login');
    expect(fake.api.requests).toHaveLength(1);
  });

  test('the provider message becomes a sanitised detail of at most 200 characters', async () => {
    fake.api.enqueue(klingError(400, 1201, `bad\u0000 value\n\t${'y'.repeat(400)}`));
    const error = await failure(client().createAvatarTask(BODY));
    const detail = String(error.params.detail);
    expect(detail.startsWith('bad value yyy')).toBe(true);
    expect(detail.length).toBe(200);
    expect(detail.endsWith('…')).toBe(true);
  });

  test('a Retry-After hint is kept on a rate-limit error', async () => {
    fake.api.enqueue({
      ...klingError(429, 1303, 'parallel task over resource pack limit'),
      headers: { 'retry-after': '7' },
    });
    const error = await failure(client().createAvatarTask(BODY));
    expect(error.retryAfterMs).toBe(7_000);
  });
});
