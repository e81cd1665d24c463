// 500 concurrent signed interactions at POST /discord/interactions on 127.0.0.1: time to the deferred
// response (Discord's 3-second rule) while the jobs they create start in the background, against two
// baselines from the same run: 500 signed PINGs through the app, and a bare node:http server (the floor).
// Attachment downloads answer 404 at the fake CDN, so the jobs fail fast after the full accept path
// instead of queueing minutes of ffmpeg work; the run is bounded and stops by itself.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type DiscordHandle, startDiscordAdapter } from '../adapters/discord/index.js';
import { jobIdFor } from '../src/util/ids.js';
import {
  APP_ID,
  attachment,
  makeKeys,
  signatureHeaders,
  slashCommand,
  snowflake,
} from '../test/fakes/fake-discord-payloads.js';
import { startTestApp, type TestApp } from '../test/helpers/test-app.js';
import type { BenchRow } from './run.js';

const CONCURRENCY = 500;
const RUNS = 3;
const DISCORD_DEADLINE_MS = 3_000;
const SETTLE_TIMEOUT_MS = 120_000;

interface Signed {
  body: string;
  headers: Record<string, string>;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

/**
 * The load generator runs in a worker thread: with client and server on one event loop, the client's
 * own socket work would be counted as server latency.
 */
const CLIENT = `
const { parentPort } = require('node:worker_threads');
const { Agent, request } = require('undici');
const agent = new Agent({ connections: ${CONCURRENCY + 50}, pipelining: 0 });
parentPort.on('message', async ({ url, batch }) => {
  const results = await Promise.all(batch.map(async ({ body, headers }) => {
    const started = performance.now();
    try {
      const res = await request(url, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', ...headers }, body });
      await res.body.text();
      return { ms: performance.now() - started, status: res.statusCode };
    } catch {
      return { ms: performance.now() - started, status: 0 };
    }
  }));
  parentPort.postMessage(results);
});
`;

type Result = { ms: number; status: number };

function fire(client: Worker, url: string, batch: Signed[]) {
  return new Promise<ReturnType<typeof summarise>>((resolve, reject) => {
    client.once('message', (results: Result[]) => resolve(summarise(results)));
    client.once('error', reject);
    client.postMessage({ url, batch });
  });
}

function summarise(results: Result[]) {
  const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    late: sorted.filter((ms) => ms > DISCORD_DEADLINE_MS).length,
    failed: results.filter((r) => r.status !== 200).length,
  };
}

type Summary = ReturnType<typeof summarise>;

/** Median of each figure over several bursts, and the worst for the deadline counts. */
function combine(runs: Summary[]): Summary {
  const mid = (pick: (r: Summary) => number) => {
    const sorted = runs.map(pick).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  };
  return {
    p50: mid((r) => r.p50),
    p99: mid((r) => r.p99),
    max: Math.max(...runs.map((r) => r.max)),
    late: runs.reduce((n, r) => n + r.late, 0),
    failed: runs.reduce((n, r) => n + r.failed, 0),
  };
}

/** The floor: a bare node:http server that reads the body and answers a PONG, nothing else. */
async function bareServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    for await (const _chunk of req);
    const body = '{"type":1}';
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The fake Discord API in a child process (see discord-fake-process.ts). */
async function startFake(): Promise<{
  url: string;
  apiUrl: string;
  botToken: string;
  close(): Promise<void>;
}> {
  const child = fork(new URL('./discord-fake-process.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
  });
  const info = await new Promise<{ url: string; apiUrl: string; botToken: string }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { url: string; apiUrl: string; botToken: string }));
    child.once('exit', (code) => reject(new Error(`fake Discord exited with ${code}`)));
  });
  return {
    ...info,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send('close');
      }),
  };
}

export async function run(): Promise<BenchRow[]> {
  const keys = makeKeys();
  const fake = await startFake();
  const bare = await bareServer();
  let t: TestApp | undefined;
  let discord: DiscordHandle | undefined;
  const client = new Worker(CLIENT, { eval: true });
  try {
    t = await startTestApp({
      env: {
        DISCORD_TOKEN: fake.botToken,
        DISCORD_APPLICATION_ID: APP_ID,
        DISCORD_PUBLIC_KEY: keys.publicKeyHex,
        DISCORD_MODE: 'http',
        DISCORD_API_URL: fake.apiUrl,
        // One simulated user in one server sends every request; the team controls' concurrency and
        // budget limits would otherwise refuse most of the burst after acknowledging it.
        ...Object.fromEntries(
          ['USER_CONCURRENT_JOBS', 'TENANT_CONCURRENT_JOBS', 'USER_JOBS_PER_DAY', 'TENANT_JOBS_PER_DAY'].map(
            (name) => [name, '1000000'],
          ),
        ),
        USER_SECONDS_PER_MONTH: '100000000',
        TENANT_SECONDS_PER_MONTH: '100000000',
      },
    });
    const config = t.app.config.discord;
    if (!config) throw new Error('discord config missing');
    discord = await startDiscordAdapter(t.app, config);
    const url = `${t.app.url}/discord/interactions`;
    const sign = (payload: object): Signed => {
      const body = JSON.stringify(payload);
      return { body, headers: signatureHeaders(keys, body) };
    };
    const pings = Array.from({ length: CONCURRENCY }, () =>
      sign({ id: snowflake(), application_id: APP_ID, type: 1, token: 'ping', version: 1 }),
    );
    const missing = `${fake.url}/attachments/0/0/`;
    const commandBurst = (n: number) =>
      Array.from({ length: n }, () => {
        const payload = slashCommand({
          image: attachment({
            url: `${missing}face.jpg`,
            filename: 'face.jpg',
            contentType: 'image/jpeg',
            size: 20_000,
          }),
          voice: attachment({
            url: `${missing}voice.ogg`,
            filename: 'voice.ogg',
            contentType: 'audio/ogg',
            size: 25_000,
          }),
        });
        return { id: payload.id, signed: sign(payload) };
      });
    const bursts = Array.from({ length: RUNS }, () => commandBurst(CONCURRENCY));
    const load = loadavg()[0] ?? 0;

    // Warm-up outside the measured bursts: JIT, all keep-alive connections (so no burst pays for TCP
    // set-up) and the first store writes.
    for (let round = 0; round < 3; round++) {
      await fire(client, bare.url, pings);
      await fire(client, url, [...pings, ...commandBurst(round === 2 ? 100 : 10).map((c) => c.signed)]);
    }
    const floor: Summary[] = [];
    const ping: Summary[] = [];
    const avatar: Summary[] = [];
    await discord.handler.idle();
    await new Promise((r) => setTimeout(r, 3_000)); // let the warm-up jobs end
    // Baselines first, while the app is idle, so the earlier bursts' jobs cannot colour them.
    for (let run = 0; run < RUNS; run++) floor.push(await fire(client, bare.url, pings));
    for (let run = 0; run < RUNS; run++) ping.push(await fire(client, url, pings));
    const wallStart = performance.now();
    for (const burst of bursts)
      avatar.push(
        await fire(
          client,
          url,
          burst.map((c) => c.signed),
        ),
      );

    const all = bursts.flat();
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    await Promise.race([discord.handler.idle(), new Promise((r) => setTimeout(r, SETTLE_TIMEOUT_MS))]);
    let created = 0;
    let ended = 0;
    while (Date.now() < deadline) {
      const jobs = await Promise.all(all.map((c) => t?.app.service.getJob(jobIdFor(`discord:${c.id}`))));
      created = jobs.filter(Boolean).length;
      ended = jobs.filter((j) => j && ['failed', 'delivered', 'cancelled'].includes(j.state)).length;
      if (ended === all.length) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const settled = performance.now() - wallStart;

    const f = combine(floor);
    const p = combine(ping);
    const a = combine(avatar);
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    const bench = 'discord';
    const per = `median of ${RUNS} bursts of ${CONCURRENCY}`;
    return [
      { bench, metric: '/avatar x500 concurrent: p50 to deferred response', value: ms(a.p50), note: per },
      {
        bench,
        metric: '/avatar x500 concurrent: p99 to deferred response',
        value: ms(a.p99),
        target: '< 100 ms',
        note: `${(a.p99 / f.p99).toFixed(2)}x the bare node:http p99, ${(a.p99 / p.p99).toFixed(2)}x the PING p99`,
      },
      {
        bench,
        metric: '/avatar x500 concurrent: p99 per burst',
        value: avatar.map((r) => ms(r.p99)).join(' / '),
        note: "later bursts run beside the earlier bursts' jobs",
      },
      {
        bench,
        metric: '/avatar x500 concurrent: slowest answer',
        value: ms(a.max),
        note: `worst of ${RUNS} bursts`,
      },
      { bench, metric: '/avatar: answers over 3 s', value: `${a.late} of ${all.length}`, target: '0' },
      { bench, metric: '/avatar: non-200 answers', value: `${a.failed} of ${all.length}`, target: '0' },
      {
        bench,
        metric: '/avatar: jobs created',
        value: `${created} of ${all.length}`,
        note: `${ended} ended (download 404) within ${(settled / 1000).toFixed(1)} s of the first burst`,
      },
      {
        bench,
        metric: 'signed PING x500 via the app (baseline): p50 / p99',
        value: `${ms(p.p50)} / ${ms(p.p99)}`,
        note: per,
      },
      {
        bench,
        metric: 'bare node:http PONG x500 (floor): p50 / p99',
        value: `${ms(f.p50)} / ${ms(f.p99)}`,
        note: `no verification, no app; load average ${load.toFixed(1)} on ${cpus().length} cores at the start`,
      },
    ];
  } finally {
    await discord?.stop();
    await t?.close();
    await fake.close();
    await bare.close();
    await client.terminate();
  }
}
