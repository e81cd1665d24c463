// Retry policy: the pure delay maths, and the client's decisions over real HTTP with an injected
// sleep, so every test asserts the exact delays and how many requests reached the server.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { KlingApiError } from '../src/errors.js';
import type { AvatarTaskBody } from '../src/kling/client.js';
import {
  backoffDelayMs,
  parseRetryAfterMs,
  RETRY_AFTER_CAP_MS,
  retryDelayMs,
  shouldRetry,
} from '../src/kling/retry-policy.js';
import {
  closedPortUrl,
  cometError,
  EXTERNAL_ID,
  type FakeCometApi,
  klingError,
  klingOk,
  LOGIN_PAGE,
  startFakeCometApi,
  TASK_ID,
  type TestClient,
  taskData,
  testClient,
} from './fakes/fake-cometapi.js';

const BODY: AvatarTaskBody = {
  image: 'aGVsbG8=',
  sound_file: 'https://cdn.example.com/line.mp3',
  prompt: 'Neutral delivery',
  mode: 'pro',
  external_task_id: EXTERNAL_ID,
};
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('backoffDelayMs', () => {
  test('doubles from 1 s and caps at 30 s without jitter', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 10].map((n) => backoffDelayMs(n, () => 0));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  test('jitter removes at most a quarter of the delay', () => {
    expect(backoffDelayMs(0, () => 1)).toBe(750);
    expect(backoffDelayMs(2, () => 0.5)).toBe(3_500);
    expect(backoffDelayMs(9, () => 0.999999)).toBe(22_500);
    expect(backoffDelayMs(1, () => 7)).toBe(1_500); // a broken random source is clamped
  });
});

describe('parseRetryAfterMs', () => {
  test.each([
    [{ 'retry-after': '3' }, 3_000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after': '120' }, RETRY_AFTER_CAP_MS],
    [{ 'retry-after': new Date(NOW + 5_000).toUTCString() }, 5_000],
    [{ 'retry-after': new Date(NOW - 5_000).toUTCString() }, 0],
    [{ 'retry-after': new Date(NOW + 600_000).toUTCString() }, RETRY_AFTER_CAP_MS],
    [{ 'retry-after-ms': '1500', 'retry-after': '9' }, 1_500],
    [{ 'retry-after-ms': '999999' }, RETRY_AFTER_CAP_MS],
    [{ 'retry-after': 'soon' }, undefined],
    [{ 'retry-after': '-3' }, undefined],
    [{}, undefined],
  ])('%j → %s', (headers, expected) => {
    expect(parseRetryAfterMs(headers, NOW)).toBe(expected);
  });
});

describe('shouldRetry and retryDelayMs', () => {
  const error = (opts: { retryable: boolean; ambiguous?: boolean; retryAfterMs?: number }) =>
    new KlingApiError('KLING_UNAVAILABLE', 'x', opts);

  test('retries transient, unambiguous failures until maxRetries is used up', () => {
    expect(shouldRetry(error({ retryable: true }), 0, 2)).toBe(true);
    expect(shouldRetry(error({ retryable: true }), 1, 2)).toBe(true);
    expect(shouldRetry(error({ retryable: true }), 2, 2)).toBe(false);
    expect(shouldRetry(error({ retryable: false }), 0, 2)).toBe(false);
    expect(shouldRetry(error({ retryable: true, ambiguous: true }), 0, 2)).toBe(false);
  });

  test("the server's hint replaces backoff", () => {
    expect(retryDelayMs(error({ retryable: true, retryAfterMs: 4_200 }), 3, () => 0)).toBe(4_200);
    expect(retryDelayMs(error({ retryable: true }), 3, () => 0)).toBe(8_000);
  });
});

describe('client retries', () => {
  let api: FakeCometApi;
  let tc: TestClient;

  beforeAll(async () => {
    api = await startFakeCometApi();
  });
  afterAll(async () => {
    await api.close();
  });
  afterEach(async () => {
    await tc.close();
    api.reset();
  });

  const client = (maxRetries: number, random = () => 0) => {
    tc = testClient(api.url, { maxRetries, random });
    return tc.client;
  };

  test('a query is retried after 5xx with exponential backoff, then succeeds', async () => {
    api.enqueue(cometError(503, 'busy'), cometError(502, 'bad gateway'), klingOk(taskData('processing')));
    const task = await client(3).getAvatarTask(TASK_ID);
    expect(task.status).toBe('processing');
    expect(tc.sleeps).toEqual([1_000, 2_000]);
    expect(api.requests).toHaveLength(3);
  });

  test('a query gives up after maxRetries and throws the last error', async () => {
    api.enqueue(...Array.from({ length: 4 }, () => klingError(500, 5000, 'Server internal error')));
    const error = await client(2)
      .getAvatarTask(TASK_ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KlingApiError);
    expect((error as KlingApiError).code).toBe('KLING_UNAVAILABLE');
    expect(tc.sleeps).toEqual([1_000, 2_000]);
    expect(api.requests).toHaveLength(3);
    const retries = tc.logs
      .map((l) => JSON.parse(l))
      .filter((l) => l.msg === 'Kling request failed; retrying');
    expect(retries.map((l) => [l.attempt, l.delayMs, l.status, l.klingCode])).toEqual([
      [1, 1_000, 500, 5000],
      [2, 2_000, 500, 5000],
    ]);
  });

  test('a query is retried after a timeout', async () => {
    tc = testClient(api.url, { maxRetries: 2, timeoutMs: 100 });
    api.enqueue(
      { ...klingOk(taskData('processing')), delayMs: 400 },
      klingOk(
        taskData('succeed', {
          task_result: { videos: [{ id: 'v', url: 'https://cdn.example.com/v.mp4', duration: '3' }] },
        }),
      ),
    );
    const task = await tc.client.getAvatarTask(TASK_ID);
    expect(task.status).toBe('succeed');
    expect(tc.sleeps).toEqual([1_000]);
  });

  test('a query is retried after a garbled body and a reset socket', async () => {
    api.enqueue(LOGIN_PAGE, { destroy: 'before-response' }, klingOk(taskData('processing')));
    await client(2).getAvatarTask(TASK_ID);
    expect(api.requests).toHaveLength(3);
    expect(tc.sleeps).toEqual([1_000, 2_000]);
  });

  test('jitter from the injected random source shortens each delay', async () => {
    api.enqueue(cometError(500, 'x'), cometError(500, 'x'), klingOk(taskData('processing')));
    await client(2, () => 0.5).getAvatarTask(TASK_ID);
    expect(tc.sleeps).toEqual([875, 1_750]);
  });

  test('a create is retried after 429 with Retry-After honoured', async () => {
    api.enqueue(
      { ...cometError(429, 'slow down'), headers: { 'retry-after': '2' } },
      klingOk(taskData('submitted')),
    );
    const task = await client(3).createAvatarTask(BODY);
    expect(task.taskId).toBe(TASK_ID);
    expect(tc.sleeps).toEqual([2_000]);
    expect(api.requests).toHaveLength(2);
    expect(api.requests[1]?.body).toBe(api.requests[0]?.body);
  });

  test('a Retry-After beyond 60 s is capped', async () => {
    api.enqueue(
      { ...klingError(429, 1302, 'too fast'), headers: { 'retry-after': '3600' } },
      klingOk(taskData('submitted')),
    );
    await client(1).createAvatarTask(BODY);
    expect(tc.sleeps).toEqual([60_000]);
  });

  test('retry-after-ms wins over Retry-After', async () => {
    api.enqueue(
      {
        ...klingError(429, 1303, 'parallel task over resource pack limit'),
        headers: { 'retry-after-ms': '250', 'retry-after': '9' },
      },
      klingOk(taskData('submitted')),
    );
    await client(1).createAvatarTask(BODY);
    expect(tc.sleeps).toEqual([250]);
  });

  test('a create is retried after 1303 with backoff when there is no hint', async () => {
    api.enqueue(
      klingError(429, 1303, 'parallel task over resource pack limit'),
      klingError(429, 1303, 'parallel task over resource pack limit'),
      klingOk(taskData('submitted')),
    );
    await client(3).createAvatarTask(BODY);
    expect(tc.sleeps).toEqual([1_000, 2_000]);
    expect(api.requests).toHaveLength(3);
  });

  test.each([
    ['a 5xx', cometError(500, 'upstream error')],
    ['Kling 5001', klingError(503, 5001, 'maintenance')],
    ['a garbled 2xx', LOGIN_PAGE],
    ['truncated JSON', { body: '{"code":0,"data":{' }],
    ['a reset socket', { destroy: 'before-response' as const }],
    ['a slow answer', { ...klingOk(taskData('submitted')), delayMs: 400 }],
  ])('a create is NOT retried after %s: it is ambiguous', async (_name, response) => {
    tc = testClient(api.url, { maxRetries: 3, timeoutMs: 150 });
    api.enqueue(response, klingOk(taskData('submitted')));
    const error = await tc.client.createAvatarTask(BODY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KlingApiError);
    expect((error as KlingApiError).ambiguous).toBe(true);
    expect(tc.sleeps).toEqual([]);
    expect(api.requests).toHaveLength(1);
    const failed = tc.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'Kling request failed');
    expect(failed).toMatchObject({
      method: 'POST',
      path: '/kling/v1/videos/avatar/image2video',
      ambiguous: true,
    });
  });

  test('non-retryable errors are thrown at once', async () => {
    api.enqueue(klingError(400, 1301, 'content policy'));
    await expect(client(3).createAvatarTask(BODY)).rejects.toMatchObject({ code: 'KLING_CONTENT_POLICY' });
    expect(tc.sleeps).toEqual([]);
  });

  test('a create is retried after connection refused, and succeeds once the server is up', async () => {
    const closed = await closedPortUrl();
    let late: FakeCometApi | undefined;
    const sleeps: number[] = [];
    tc = testClient(closed.url, {
      maxRetries: 2,
      sleep: async (ms) => {
        sleeps.push(ms);
        late ??= await startFakeCometApi({ port: closed.port });
        late.enqueue(klingOk(taskData('submitted')));
      },
    });
    try {
      const task = await tc.client.createAvatarTask(BODY);
      expect(task.status).toBe('submitted');
      expect(sleeps).toEqual([1_000]);
      expect(late?.requests).toHaveLength(1);
    } finally {
      await late?.close();
    }
  });

  test('connection refused on every attempt ends in KLING_CONNECTION after maxRetries', async () => {
    const closed = await closedPortUrl();
    tc = testClient(closed.url, { maxRetries: 3 });
    const error = await tc.client.createAvatarTask(BODY).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KLING_CONNECTION', ambiguous: false, retryable: true });
    expect(tc.sleeps).toEqual([1_000, 2_000, 4_000]);
  });

  test('an abort during the backoff sleep stops the retries', async () => {
    const controller = new AbortController();
    tc = testClient(api.url, {
      maxRetries: 3,
      sleep: () => {
        controller.abort(new Error('shutting down'));
        return new Promise(() => {});
      },
    });
    api.enqueue(cometError(503, 'busy'));
    await expect(tc.client.getAvatarTask(TASK_ID, controller.signal)).rejects.toThrow('shutting down');
    expect(api.requests).toHaveLength(1);
  });
});
