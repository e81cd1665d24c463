// A scriptable stand-in for CometAPI on 127.0.0.1: each request takes the next scripted answer (status,
// headers, raw body, delay, or a destroyed socket) and is recorded, so tests can assert both sides.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { inspect } from 'node:util';
import pino from 'pino';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { KlingApiError } from '../../src/errors.js';
import { type AvatarTaskBody, KlingClient, type KlingClientOptions } from '../../src/kling/client.js';

export interface ScriptedResponse {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent raw; anything else as JSON. */
  body?: unknown;
  /** Wait before answering (to provoke client timeouts). */
  delayMs?: number;
  /** Kill the socket: before any response, or after the headers and part of the body. */
  destroy?: 'before-response' | 'mid-body';
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Responder = ScriptedResponse | ((req: RecordedRequest) => ScriptedResponse);

export interface FakeCometApi {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Answers for the next requests, in order. */
  enqueue(...responses: Responder[]): void;
  /** The answer once the queue is empty (default: a loud 599 so unscripted calls fail tests). */
  fallback(response: Responder): void;
  /** Forgets queued answers, recorded requests and the fallback, between tests. */
  reset(): void;
  close(): Promise<void>;
}

const UNSCRIPTED: ScriptedResponse = { status: 599, body: { error: { message: 'unscripted request' } } };

export async function startFakeCometApi(options: { port?: number } = {}): Promise<FakeCometApi> {
  const queue: Responder[] = [];
  let fallback: Responder = UNSCRIPTED;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const next = queue.shift() ?? fallback;
      const scripted = typeof next === 'function' ? next(recorded) : next;
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer(res, scripted);
      }, scripted.delayMs ?? 0);
      timers.add(timer);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    enqueue: (...responses) => queue.push(...responses),
    fallback: (response) => {
      fallback = response;
    },
    reset: () => {
      queue.length = 0;
      requests.length = 0;
      fallback = UNSCRIPTED;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(res: ServerResponse, scripted: ScriptedResponse): void {
  if (res.socket === null || res.socket.destroyed) return;
  if (scripted.destroy === 'before-response') {
    res.socket.destroy();
    return;
  }
  const raw = typeof scripted.body === 'string' ? scripted.body : JSON.stringify(scripted.body ?? {});
  const isJson = typeof scripted.body !== 'string';
  const headers = {
    'content-type': isJson ? 'application/json' : 'text/plain; charset=utf-8',
    ...scripted.headers,
  };
  if (scripted.destroy === 'mid-body') {
    res.writeHead(scripted.status ?? 200, {
      ...headers,
      'content-length': String(Buffer.byteLength(raw) + 100),
    });
    res.write(raw.slice(0, Math.ceil(raw.length / 2)), () => res.socket?.destroy());
    return;
  }
  res.writeHead(scripted.status ?? 200, { ...headers, 'content-length': String(Buffer.byteLength(raw)) });
  res.end(raw);
}

/** A loopback URL where nothing listens, for connection-refused tests. */
export async function closedPortUrl(): Promise<{ url: string; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { url: `http://127.0.0.1:${port}`, port };
}

// ---- Bodies in the documented shapes (reference §1.5, §2.3, §4, §5) ----

export const TASK_ID = '878106242831892487';
export const EXTERNAL_ID = 'discord-1234567890-0001';

export function klingOk(data: unknown, extra: Record<string, unknown> = {}): ScriptedResponse {
  return { body: { code: 0, message: 'SUCCEED', request_id: 'req-ok-1', data, ...extra } };
}

export function taskData(status: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    task_id: TASK_ID,
    task_status: status,
    task_status_msg: '',
    task_info: { external_task_id: EXTERNAL_ID },
    task_result: {},
    created_at: 1777385361501,
    updated_at: 1777385363321,
    ...extra,
  };
}

export function succeededTaskData(): Record<string, unknown> {
  return taskData('succeed', {
    task_result: {
      videos: [{ id: '9f3e1c7a-2b44', url: 'https://cdn.example.com/output.mp4', duration: '12.4' }],
    },
    final_unit_deduction: '1',
  });
}

export function klingError(status: number, code: number, message: string, requestId = `req-${code}`) {
  return { status, body: { code, message, request_id: requestId } } satisfies ScriptedResponse;
}

export function cometError(status: number, message: string, code = '') {
  return {
    status,
    body: { error: { message, type: 'comet_api_error', param: '', code } },
  } satisfies ScriptedResponse;
}

export const VOICE_NOT_FOUND = {
  status: 400,
  body: {
    message: 'Voice id not found',
    data: {
      data: { code: 1201, message: 'Voice id not found', request_id: 'ed47-voice' },
      message: 'Voice id not found',
    },
  },
} satisfies ScriptedResponse;

export const LOGIN_PAGE = {
  status: 200,
  headers: { 'content-type': 'text/html' },
  body: '<!doctype html><html><head><title>Sign in</title></head><body><form>Log in</form></body></html>',
} satisfies ScriptedResponse;

// ---- A client wired to the fake, with captured logs and recorded sleeps ----

export const TEST_API_KEY = 'sk-test-SECRET-0123456789abcdef';

export interface TestClient {
  client: KlingClient;
  /** Every log line the client wrote, as JSON text. */
  logs: string[];
  /** Every delay the client asked to sleep, in ms. */
  sleeps: number[];
  close(): Promise<void>;
}

export function testClient(baseUrl: string, overrides: Partial<KlingClientOptions> = {}): TestClient {
  const logs: string[] = [];
  const sleeps: number[] = [];
  const agent = new Agent({ keepAliveTimeout: 1_000 });
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(line) });
  const client = new KlingClient({
    baseUrl,
    apiKey: TEST_API_KEY,
    timeoutMs: 2_000,
    maxRetries: 0,
    logger,
    dispatcher: agent,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0,
    ...overrides,
  });
  return { client, logs, sleeps, close: () => agent.close() };
}

/** A create body shaped like the documented example, for tests that do not care about its content. */
export const SAMPLE_AVATAR_BODY: AvatarTaskBody = {
  image: 'aGVsbG8=',
  audio_id: '872641035519283211',
  prompt: 'Speaks warmly to camera',
  mode: 'std',
  external_task_id: EXTERNAL_ID,
};

export interface FakeCometApiSuite {
  /** The fake, started once for the test file. */
  readonly api: FakeCometApi;
  /** The last client made in this test, with its logs and sleeps. */
  readonly last: TestClient | undefined;
  /** A fresh client for this test, pointed at the fake unless `baseUrl` says otherwise. */
  client(overrides?: Partial<KlingClientOptions>, baseUrl?: string): KlingClient;
}

/**
 * Starts the fake for the test file and gives each test its own clients. After each test it checks
 * that no log line carried the key or an Authorization header, then resets the fake.
 */
export function useFakeCometApi(): FakeCometApiSuite {
  let api: FakeCometApi | undefined;
  let made: TestClient[] = [];
  beforeAll(async () => {
    api = await startFakeCometApi();
  });
  afterAll(async () => {
    await api?.close();
  });
  afterEach(async () => {
    const text = made.flatMap((c) => c.logs).join('\n');
    expect(text).not.toContain(TEST_API_KEY);
    expect(text.toLowerCase()).not.toContain('authorization');
    await Promise.all(made.map((c) => c.close()));
    made = [];
    api?.reset();
  });
  return {
    get api() {
      if (!api) throw new Error('the fake CometAPI starts in beforeAll');
      return api;
    },
    get last() {
      return made.at(-1);
    },
    client(overrides = {}, baseUrl) {
      const made_ = testClient(baseUrl ?? this.api.url, overrides);
      made.push(made_);
      return made_.client;
    },
  };
}

/** Asserts `secret` appears nowhere in the error: own properties, causes, inspect output, string form. */
export function expectNoSecret(error: unknown, secret = TEST_API_KEY): void {
  expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(secret);
  expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(secret);
  expect(String(error)).not.toContain(secret);
}

/** Awaits a call that must fail with a secret-free KlingApiError, and returns that error. */
export async function captureFailure(
  promise: Promise<unknown>,
  secret = TEST_API_KEY,
): Promise<KlingApiError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KlingApiError);
  expectNoSecret(error, secret);
  return error as KlingApiError;
}
