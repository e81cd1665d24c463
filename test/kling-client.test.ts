// KlingClient against a fake CometAPI over real HTTP: request shape, success parsing, transport
// failures, and that the API key never leaks into errors or logs. Error bodies: kling-error-mapping.
import { describe, expect, test } from 'vitest';
import {
  closedPortUrl,
  cometError,
  EXTERNAL_ID,
  expectNoSecret,
  captureFailure as failure,
  klingError,
  klingOk,
  SAMPLE_AVATAR_BODY,
  type ScriptedResponse,
  succeededTaskData,
  TASK_ID,
  TEST_API_KEY,
  taskData,
  testClient,
  useFakeCometApi,
} from './fakes/fake-cometapi.js';

const BODY = SAMPLE_AVATAR_BODY;
const fake = useFakeCometApi();
const client = (overrides: Parameters<typeof fake.client>[0] = {}) => fake.client(overrides);

describe('requests', () => {
  test('creates with bearer auth, JSON headers and the documented path', async () => {
    fake.api.enqueue(klingOk(taskData('submitted')));
    await client().createAvatarTask(BODY);
    const [req] = fake.api.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/kling/v1/videos/avatar/image2video');
    expect(req?.headers.authorization).toBe(`Bearer ${TEST_API_KEY}`);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers.accept).toBe('application/json');
    expect(JSON.parse(req?.body ?? '')).toEqual(BODY);
  });

  test('queries by id with the id URL-encoded and no body', async () => {
    fake.api.enqueue(klingOk(taskData('processing')));
    await client().getAvatarTask('discord-1/2 x');
    expect(fake.api.requests[0]?.method).toBe('GET');
    expect(fake.api.requests[0]?.path).toBe('/kling/v1/videos/avatar/image2video/discord-1%2F2%20x');
    expect(fake.api.requests[0]?.body).toBe('');
  });

  test('keeps a path prefix in the base URL and drops its trailing slash', async () => {
    const c = fake.client({}, `${fake.api.url}/proxy/`);
    fake.api.enqueue(klingOk(taskData('processing')));
    await c.getAvatarTask(TASK_ID);
    expect(fake.api.requests[0]?.path).toBe(`/proxy/kling/v1/videos/avatar/image2video/${TASK_ID}`);
  });
});

describe('success parsing', () => {
  test('reads the create response', async () => {
    fake.api.enqueue(klingOk(taskData('submitted')));
    const task = await client().createAvatarTask(BODY);
    expect(task).toEqual({
      taskId: TASK_ID,
      status: 'submitted',
      statusMessage: '',
      externalTaskId: EXTERNAL_ID,
      videos: [],
      createdAt: 1777385361501,
      updatedAt: 1777385363321,
      requestId: 'req-ok-1',
    });
  });

  test.each(['submitted', 'processing'])('reads a %s task with no videos', async (status) => {
    fake.api.enqueue(klingOk(taskData(status)));
    const task = await client().getAvatarTask(TASK_ID);
    expect(task.status).toBe(status);
    expect(task.videos).toEqual([]);
  });

  test('reads a succeeded task and turns the string duration into seconds', async () => {
    fake.api.enqueue(klingOk(succeededTaskData()));
    const task = await client().getAvatarTask(EXTERNAL_ID);
    expect(task.status).toBe('succeed');
    expect(task.videos).toEqual([
      { id: '9f3e1c7a-2b44', url: 'https://cdn.example.com/output.mp4', durationSeconds: 12.4 },
    ]);
  });

  test('reads a failed task with its reason', async () => {
    fake.api.enqueue(
      klingOk(taskData('failed', { task_status_msg: 'Failure to pass the risk control system' })),
    );
    const task = await client().getAvatarTask(TASK_ID);
    expect(task.status).toBe('failed');
    expect(task.statusMessage).toBe('Failure to pass the risk control system');
  });

  test("ignores the top-level message ('success' variant) and trusts code 0", async () => {
    fake.api.enqueue(klingOk(taskData('processing'), { message: 'success' }));
    expect((await client().getAvatarTask(TASK_ID)).status).toBe('processing');
  });

  test('coerces a numeric task id to a string', async () => {
    fake.api.enqueue(klingOk(taskData('submitted', { task_id: 12345 })));
    expect((await client().createAvatarTask(BODY)).taskId).toBe('12345');
  });

  test('keeps an unquoted 18-digit task id exact', async () => {
    const raw = JSON.stringify({ code: 0, message: 'SUCCEED', data: taskData('submitted') }).replace(
      `"task_id":"${TASK_ID}"`,
      `"task_id":${TASK_ID}`,
    );
    expect(raw).toContain(`"task_id":${TASK_ID}`);
    fake.api.enqueue({ body: raw });
    expect((await client().createAvatarTask(BODY)).taskId).toBe(TASK_ID);
  });

  test('takes the request id from the x-request-id header when the body has none', async () => {
    fake.api.enqueue({
      headers: { 'x-request-id': 'hdr-42' },
      body: { code: 0, message: 'SUCCEED', data: taskData('processing') },
    });
    expect((await client().getAvatarTask(TASK_ID)).requestId).toBe('hdr-42');
  });

  test('rejects a succeeded task without videos as a bad response', async () => {
    fake.api.enqueue(klingOk(taskData('succeed')));
    const error = await failure(client().getAvatarTask(TASK_ID));
    expect(error.code).toBe('KLING_BAD_RESPONSE');
    expect(error.message).toContain('data.task_result.videos');
  });
});

describe('transport failures', () => {
  test('a slow answer is KLING_TIMEOUT, ambiguous for a create', async () => {
    fake.api.enqueue({ ...klingOk(taskData('submitted')), delayMs: 400 });
    const error = await failure(client({ timeoutMs: 100 }).createAvatarTask(BODY));
    expect(error.code).toBe('KLING_TIMEOUT');
    expect(error.retryable).toBe(true);
    expect(error.ambiguous).toBe(true);
  });

  test('a socket destroyed after the request is KLING_CONNECTION, ambiguous for a create', async () => {
    fake.api.enqueue({ destroy: 'before-response' });
    const error = await failure(client().createAvatarTask(BODY));
    expect(error.code).toBe('KLING_CONNECTION');
    expect(error.retryable).toBe(true);
    expect(error.ambiguous).toBe(true);
  });

  test('a body cut off mid-stream is ambiguous for a create', async () => {
    fake.api.enqueue({ ...klingOk(taskData('submitted')), destroy: 'mid-body' });
    const error = await failure(client().createAvatarTask(BODY));
    expect(error.code).toBe('KLING_CONNECTION');
    expect(error.ambiguous).toBe(true);
  });

  test('connection refused is KLING_CONNECTION and not ambiguous, even for a create', async () => {
    const closed = await closedPortUrl();
    const error = await failure(fake.client({}, closed.url).createAvatarTask(BODY));
    expect(error.code).toBe('KLING_CONNECTION');
    expect(error.retryable).toBe(true);
    expect(error.ambiguous).toBe(false);
    expect(error.message).toContain('ECONNREFUSED');
  });

  test("the caller's abort is rethrown unchanged", async () => {
    fake.api.enqueue({ ...klingOk(taskData('processing')), delayMs: 500 });
    const controller = new AbortController();
    const pending = client().getAvatarTask(TASK_ID, controller.signal);
    setTimeout(() => controller.abort(new Error('user cancelled')), 50);
    await expect(pending).rejects.toThrow('user cancelled');
  });
});

describe('secrets', () => {
  const echoes: ScriptedResponse[] = [
    cometError(401, `Invalid token: ${TEST_API_KEY} (request id: r-1)`),
    klingError(400, 1201, `bad key Bearer ${TEST_API_KEY}`, TEST_API_KEY),
    { status: 302, headers: { location: `https://evil.example/?key=${TEST_API_KEY}` }, body: '' },
    { status: 200, body: `<html>${TEST_API_KEY}</html>` },
    { status: 500, headers: { 'x-request-id': TEST_API_KEY }, body: { error: { message: TEST_API_KEY } } },
  ];

  test.each(echoes.map((response, i) => ({ i, response })))(
    'a server echoing the key (#$i) cannot put it in the error or the logs',
    async ({ response }) => {
      fake.api.enqueue(response);
      const error = await failure(client().createAvatarTask(BODY));
      expect(error.message).not.toContain(TEST_API_KEY);
      expect(JSON.stringify(error.params)).not.toContain(TEST_API_KEY);
      expect(error.requestId ?? '').not.toContain(TEST_API_KEY);
    },
  );

  test('a key without the usual sk- shape is redacted too', async () => {
    const key = 'plainSecretValue123456';
    fake.api.enqueue(cometError(401, `Invalid token ${key}`), {
      status: 301,
      headers: { location: `/x?k=${key}` },
      body: '',
    });
    const c = client({ apiKey: key });
    for (const call of [c.createAvatarTask(BODY), c.getAvatarTask(TASK_ID)]) {
      expectNoSecret(await failure(call, key), key);
    }
    expect(fake.last?.logs.join('\n')).not.toContain(key);
  });

  test('transport errors carry no key either', async () => {
    const closed = await closedPortUrl();
    const error = await failure(fake.client({}, closed.url).getAvatarTask(TASK_ID));
    expect(error.cause).toBeDefined();
  });

  test('the key is trimmed and a blank key or bad base URL is rejected at construction', () => {
    expect(() => testClient('ftp://example.com')).toThrow(/baseUrl/);
    expect(() => testClient(fake.api.url, { apiKey: '  ' })).toThrow(/apiKey/);
  });
});
