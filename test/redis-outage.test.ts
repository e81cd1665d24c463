// Redis outages on a Redis store, for both job engines (embedded scheduler and BullMQ): while Redis is
// down, requests and status/usage commands fail fast with STORE_UNAVAILABLE (the catalogue's "storage
// unavailable" text, never a hang or a crash); once it is back on the same port the bot recovers by
// itself, takes new jobs, and delivers the job that was in flight exactly once. Also: a bot started
// with Redis down exits quickly with a one-line message.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleAvatarStatus } from '../commands/avatar-status.js';
import { handleAvatarUsage } from '../commands/avatar-usage.js';
import { type AvatarError, StoreUnavailableError } from '../src/errors.js';
import { ar } from '../src/i18n/ar.js';
import { describeError } from '../src/i18n/catalog.js';
import { en } from '../src/i18n/en.js';
import { attachment, postInteraction, slashCommand } from './fakes/fake-discord-payloads.js';
import { postToSlackEvents, slashCommand as slackSlashCommand } from './fakes/fake-slack-requests.js';
import { avatarRequest } from './helpers/avatar-request.js';
import { startBot } from './helpers/bot-process.js';
import { freePort } from './helpers/free-port.js';
import { type InboundHarness, startInboundHarness } from './helpers/inbound-harness.js';
import { RecordingAdapter } from './helpers/recording-adapter.js';
import { type RedisHandle, startRedis } from './helpers/redis-server.js';
import { SAMPLE_FACE, SAMPLE_VOICE, startTestApp, type TestApp } from './helpers/test-app.js';

/** The bound for a request during an outage. Measured figures are test annotations (--reporter=verbose). */
const FAIL_FAST_MS = 3_000;
/** From Redis accepting connections again to the next request being accepted. */
const RECOVERY_MS = 10_000;

const ADA = { id: 'u-ada', displayName: 'Ada', tenantId: 't1' };

/** Runs `work` and returns how long it took to settle, with its rejection (undefined if it resolved). */
async function timed(work: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  const error = await work().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { ms: Math.round(performance.now() - started), error };
}

function expectStoreUnavailable(error: unknown): void {
  expect(error).toBeInstanceOf(StoreUnavailableError);
  expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
  // What every adapter shows for an AvatarError: the catalogue's text, in both languages.
  expect(describeError('en', error as AvatarError)).toBe(en['error.STORE_UNAVAILABLE']);
  expect(describeError('ar', error as AvatarError)).toBe(ar['error.STORE_UNAVAILABLE']);
}

async function healthStatus(t: TestApp): Promise<{ status: number; store: unknown }> {
  const res = await request(`${t.app.url}/healthz`);
  const body = (await res.body.json()) as { store?: unknown };
  return { status: res.statusCode, store: body.store };
}

// Unhandled rejections would mean some background path (a poll, a booking) dropped a store failure.
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

describe.each(['embedded', 'bullmq'] as const)('Redis outage with JOB_ENGINE=%s', (engine) => {
  let dataDir: string;
  let redis: RedisHandle;
  let t: TestApp;
  let adapter: RecordingAdapter;
  let inFlight: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'redis-outage-'));
    await mkdir(path.join(dataDir, 'redis'));
    // Append-only and synced on every write: the restarted Redis has the jobs, as in production.
    redis = await startRedis({ stopOnExit: true, dataDir: path.join(dataDir, 'redis') });
    t = await startTestApp({
      // A render long enough that the job is still being polled when Redis goes away.
      env: { STORE_URL: redis.url, JOB_ENGINE: engine, EMULATOR_PROCESSING_MS: '3000' },
    });
    adapter = new RecordingAdapter();
    t.app.service.registerAdapter(adapter);
    await t.app.service.resume();
  });

  afterAll(async () => {
    await t?.close();
    await redis?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('delivers a job while Redis is up', async () => {
    const { jobId } = await t.app.service.submit(avatarRequest(ADA));
    expect((await adapter.finished(jobId)).phase).toBe('delivered');
  });

  it('fails requests and commands fast with STORE_UNAVAILABLE while Redis is down', async ({ annotate }) => {
    ({ jobId: inFlight } = await t.app.service.submit(avatarRequest(ADA)));
    await adapter.waitFor(inFlight, 'submitted');
    await redis.stop();

    const submit = await timed(() => t.app.service.submit(avatarRequest(ADA)));
    expectStoreUnavailable(submit.error);
    const status = await timed(() => t.app.service.status(inFlight, ADA));
    expectStoreUnavailable(status.error);
    const usage = await timed(() => t.app.service.usage(ADA));
    expectStoreUnavailable(usage.error);
    await annotate(
      `[${engine}] with Redis down: submit rejected in ${submit.ms} ms, status in ${status.ms} ms, usage in ${usage.ms} ms`,
    );
    for (const { ms } of [submit, status, usage]) expect(ms).toBeLessThan(FAIL_FAST_MS);

    // The shared command handlers (Slack and the shell post their text) answer with the catalogue.
    for (const handle of [handleAvatarStatus, handleAvatarUsage]) {
      const reply = await handle(t.app.service, ADA, { job: inFlight }, undefined);
      expect(reply).toMatchObject({ error: 'STORE_UNAVAILABLE', text: en['error.STORE_UNAVAILABLE'] });
    }
    // Operators: health checks fail while the store is unreachable.
    expect(await healthStatus(t)).toEqual({ status: 503, store: 'down' });
    // The in-flight job waits for the store rather than failing or being reported to the user.
    expect(adapter.phases(inFlight)).not.toContain('failed');
  });

  it('recovers once Redis is back: takes new jobs and delivers the in-flight one exactly once', async ({
    annotate,
  }) => {
    await redis.restart();
    const back = performance.now();
    // One request, sent again until it is accepted, as a user (or a platform's retry) would.
    const retry = avatarRequest(ADA);
    let jobId: string | undefined;
    while (!jobId) {
      try {
        ({ jobId } = await t.app.service.submit(retry));
      } catch (error) {
        expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
        expect(performance.now() - back).toBeLessThan(RECOVERY_MS);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const acceptedMs = Math.round(performance.now() - back);
    expect(acceptedMs).toBeLessThan(RECOVERY_MS);
    expect((await adapter.finished(jobId)).phase).toBe('delivered');
    const newDeliveredMs = Math.round(performance.now() - back);
    const final = await adapter.finished(inFlight, 45_000);
    await annotate(
      `[${engine}] after Redis returned: submit accepted in ${acceptedMs} ms, that job delivered at ${newDeliveredMs} ms, in-flight job ${final.phase} at ${Math.round(performance.now() - back)} ms`,
    );
    expect(final.phase).toBe('delivered');
    expect(t.app.emulator?.stats().createsByExternalId[inFlight]).toBe(1);
    expect(adapter.deliveries.filter((d) => d.jobId === inFlight)).toHaveLength(1);
    expect(await healthStatus(t)).toEqual({ status: 200, store: 'up' });
    expect(unhandled).toEqual([]);
  });
});

describe('what the chat adapters show during a Redis outage', () => {
  let redis: RedisHandle;
  let ib: InboundHarness;

  beforeAll(async () => {
    redis = await startRedis({ stopOnExit: true });
    ib = await startInboundHarness({ STORE_URL: redis.url, JOB_ENGINE: 'embedded' });
    await redis.stop();
  });
  afterAll(async () => {
    await ib?.close();
  });

  it('Discord: a new /avatar request ends with the catalogue text, not an internal error', async () => {
    const file = async (name: string, source: string, type: string) => {
      const bytes = await readFile(source);
      return attachment({
        url: ib.discord.addFile(name, bytes, type),
        filename: name,
        contentType: type,
        size: bytes.length,
      });
    };
    const payload = slashCommand({
      image: await file('face.jpg', SAMPLE_FACE, 'image/jpeg'),
      voice: await file('voice.ogg', SAMPLE_VOICE, 'audio/ogg'),
    });
    ib.discord.trackInteraction(payload.token, payload.channel_id);
    expect((await postInteraction(`${ib.url}/discord/interactions`, payload, ib.keys)).status).toBe(200);
    // The deferred "thinking…" reply is edited into the refusal once the core has answered.
    const edit = await ib.discord.waitFor(
      (c) =>
        c.method === 'PATCH' &&
        c.path.includes(payload.token) &&
        c.json?.content === en['error.STORE_UNAVAILABLE'],
      FAIL_FAST_MS + 5_000,
    );
    expect(edit.status).toBeLessThan(300);
  });

  it('Slack: /avatar-status answers with the catalogue text, not an internal error', async () => {
    const res = await postToSlackEvents(
      ib.url,
      slackSlashCommand({ command: '/avatar-status', text: 'av-aaaaaaaaaaaaaaaaaaaa' }),
    );
    expect(res.status).toBe(200);
    // Answered inside the ack (the store fails at once), as an ephemeral message.
    const body = JSON.parse(res.text) as { text?: string; response_type?: string };
    expect(body).toMatchObject({ response_type: 'ephemeral', text: en['error.STORE_UNAVAILABLE'] });
  });
});

describe('start-up with Redis down', () => {
  it.for(['embedded', 'bullmq'])(
    'JOB_ENGINE=%s: the bot exits quickly with a one-line message and a non-zero code',
    async (engine, { annotate }) => {
      const dir = await mkdtemp(path.join(tmpdir(), 'redis-outage-bot-'));
      // A free port nobody listens on: connections are refused, as when Redis is not running.
      const port = await freePort();
      const started = performance.now();
      const bot = startBot({
        STORE_URL: `redis://127.0.0.1:${port}`,
        JOB_ENGINE: engine,
        DATA_DIR: path.join(dir, 'data'),
        OUT_DIR: path.join(dir, 'out'),
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
      });
      // The first log line comes from building the app, just before the store is opened: from there
      // on the time is the bot's own, apart from loading TypeScript (seconds on a busy machine).
      let appStarted: number | undefined;
      bot.child.stderr?.once('data', () => {
        appStarted = performance.now();
      });
      const timer = setTimeout(() => void bot.kill(), 60_000);
      const code = await bot.exited;
      clearTimeout(timer);
      const exited = performance.now();
      const ms = Math.round(exited - started);
      const appMs = Math.round(exited - (appStarted ?? started));
      await rm(dir, { recursive: true, force: true });
      const fatal = bot.logs.filter((l) => l.msg === 'non-json').map((l) => String(l.line));
      await annotate(
        `[${engine}] bot with Redis down exited with ${code} ${appMs} ms after its first log line (${ms} ms after spawn): ${fatal.join(' | ')}`,
      );
      expect(code).not.toBe(0);
      expect(code).not.toBeNull();
      expect(appStarted).toBeDefined();
      expect(appMs).toBeLessThan(5_000);
      // The whole run, loading TypeScript included: the app's part is bounded above; loading alone
      // takes 7–9 s on a busy 2-core machine, so this only catches a hang.
      expect(ms).toBeLessThan(30_000);
      // One plain line naming the store and the reason; no stack trace.
      expect(fatal).toEqual([
        expect.stringMatching(/^Cannot start: job store connect to redis:\/\/.*ECONNREFUSED/),
      ]);
    },
  );
});
