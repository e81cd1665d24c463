// GET /healthz: the store decides the status code (503 when it is down), the Kling endpoint is probed
// for reachability without credentials and reported without its URL or key (an outage there still
// answers 200), and the probe is cached so health checks do not hammer the provider.

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KlingEmulator } from '../src/kling/emulator/server.js';
import { KlingProbe } from '../src/kling/reachability.js';
import { silentLogger } from '../src/logger.js';
import { startTestEmulator } from './emulator-helpers.js';
import { freePort } from './helpers/free-port.js';
import { startRedis } from './helpers/redis-server.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const SECRET = 'sk-live-HEALTHZ-NEVER-SHOWN-7e6d5c4b';

async function healthz(t: TestApp): Promise<{ status: number; raw: string; body: Record<string, unknown> }> {
  const res = await request(`${t.app.url}/healthz`);
  const raw = await res.body.text();
  return { status: res.statusCode, raw, body: JSON.parse(raw) as Record<string, unknown> };
}

/** A loopback HTTP server that records what it was sent and answers 404, like a provider's root. */
async function startRecorder(): Promise<{
  url: string;
  seen: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}> {
  const seen: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders }> = [];
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('/healthz', () => {
  it('answers 200 with the store up and the built-in emulator reachable', async () => {
    const t = await startTestApp();
    try {
      const first = await healthz(t);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        ok: true,
        store: 'up',
        kling: { target: 'emulator', reachable: true, checkedAt: expect.any(String) },
      });
      const checkedAt = (first.body.kling as { checkedAt: string }).checkedAt;
      expect(Math.abs(Date.parse(checkedAt) - Date.now())).toBeLessThan(10_000);
      // Cached: a second check moments later reuses the first probe.
      expect(((await healthz(t)).body.kling as { checkedAt: string }).checkedAt).toBe(checkedAt);
    } finally {
      await t.close();
    }
  });

  describe('against a key-protected provider', () => {
    let root: string;
    let emulator: KlingEmulator;
    let t: TestApp;

    beforeAll(async () => {
      root = await mkdtemp(path.join(tmpdir(), 'healthz-'));
      emulator = await startTestEmulator(root, { apiKey: SECRET });
      t = await startTestApp({ env: { COMETAPI_KEY: SECRET, COMETAPI_BASE_URL: emulator.url } });
    });
    afterAll(async () => {
      await t.close();
      await emulator.close();
      await rm(root, { recursive: true, force: true });
    });

    it('reports it reachable without the key, the URL or its port in the body', async () => {
      const { status, raw, body } = await healthz(t);
      expect(status).toBe(200);
      expect(body).toMatchObject({ ok: true, store: 'up', kling: { target: 'cometapi', reachable: true } });
      expect(raw).not.toContain(SECRET);
      expect(raw).not.toContain(emulator.url);
      expect(raw).not.toContain(new URL(emulator.url).port);
    });
  });

  it('probes only the origin, with no credentials, once per cache period', async () => {
    const recorder = await startRecorder();
    const t = await startTestApp({
      env: { COMETAPI_KEY: SECRET, COMETAPI_BASE_URL: `${recorder.url}/some/prefix` },
    });
    try {
      const answers = await Promise.all([healthz(t), healthz(t), healthz(t)]);
      await healthz(t);
      for (const answer of answers) expect(answer.body.kling).toMatchObject({ reachable: true });
      expect(recorder.seen).toHaveLength(1);
      const probe = recorder.seen[0];
      expect(probe?.url).toBe('/');
      expect(probe?.headers.authorization).toBeUndefined();
      expect(JSON.stringify(probe?.headers)).not.toContain(SECRET);
    } finally {
      await t.close();
      await recorder.close();
    }
  });

  it('answers 200 with reachable false when the Kling endpoint refuses connections', async () => {
    const closedPort = await freePort();
    const t = await startTestApp({
      env: { COMETAPI_KEY: SECRET, COMETAPI_BASE_URL: `http://127.0.0.1:${closedPort}` },
    });
    try {
      const { status, raw, body } = await healthz(t);
      expect(status).toBe(200);
      expect(body).toEqual({
        ok: true,
        store: 'up',
        kling: { target: 'cometapi', reachable: false, checkedAt: expect.any(String) },
      });
      expect(raw).not.toContain(String(closedPort));
      expect(raw).not.toContain(SECRET);
    } finally {
      await t.close();
    }
  });

  it('answers 503 when the Redis store goes down', async () => {
    const redis = await startRedis();
    const dir = await mkdtemp(path.join(tmpdir(), 'healthz-redis-'));
    // The embedded engine keeps this about the store alone, not about a queue on the same Redis.
    const t = await startTestApp({ env: { STORE_URL: redis.url, JOB_ENGINE: 'embedded' }, dir });
    try {
      const up = await healthz(t);
      expect(up.status).toBe(200);
      expect(up.body).toMatchObject({ ok: true, store: 'up' });

      await redis.stop();
      const started = Date.now();
      const down = await healthz(t);
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ ok: false, store: 'down', kling: { target: 'emulator' } });
      // Bounded by the store's own fail-fast and the ping timeout, never a hang.
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      // Closing an app whose Redis has gone rejects ('Disconnects client' from the Redis client); the
      // app is shut down all the same, and that behaviour is not what this test is about.
      await t.close().catch(() => undefined);
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('KlingProbe', () => {
  it('counts an endpoint that accepts connections but never answers as unreachable after its timeout', async () => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const probe = new KlingProbe({
        baseUrl: `http://127.0.0.1:${port}`,
        logger: silentLogger(),
        timeoutMs: 200,
      });
      const started = Date.now();
      expect(await probe.check()).toMatchObject({ reachable: false });
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(sockets.length).toBe(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('probes again once the cached answer is older than the cache period', async () => {
    const recorder = await startRecorder();
    try {
      const probe = new KlingProbe({ baseUrl: recorder.url, logger: silentLogger(), cacheMs: 100 });
      const first = await probe.check();
      expect(await probe.check()).toBe(first);
      expect(recorder.seen).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 150));
      const second = await probe.check();
      expect(second.reachable).toBe(true);
      expect(recorder.seen).toHaveLength(2);
      expect(recorder.seen.every((r) => r.method === 'HEAD')).toBe(true);
    } finally {
      await recorder.close();
    }
  });
});
