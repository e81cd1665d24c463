// 500 concurrent signed `/avatar` slash commands at POST /slack/events on loopback: time to the ack
// and to the fake Slack's views.open, against the 3 s deadline. The bot runs in a child process; this
// one plays Slack (load and Web API) so one clock times both. Stops by itself within a minute.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { FakeSlack } from '../test/fakes/fake-slack.js';
import { SIGNING_SECRET, sign, slashCommand, triggerId } from '../test/fakes/fake-slack-requests.js';
import type { BenchRow } from './run.js';

const CONCURRENT = 500;
const WARMUP = 20;
const DEADLINE_MS = 3_000;
const TARGET_P99_MS = 100;
const RUN_TIMEOUT_MS = 60_000;

const PACED_PER_SECOND = 200;

interface Sent {
  trigger: string;
  started: number;
  ackMs: number;
  status: number;
}

function summarise(label: string, acks: number[], opens: number[], failed: number, sent: number): BenchRow[] {
  const missing = sent - opens.length;
  const over = (xs: number[]) => xs.filter((x) => x > DEADLINE_MS).length;
  const target = `p99 < ${TARGET_P99_MS} ms`;
  const row = (metric: string, value: string, extra: Partial<BenchRow> = {}): BenchRow => ({
    bench: 'slack',
    metric: `${metric} (${label})`,
    value,
    ...extra,
  });
  return [
    row('ack p50', ms(percentile(acks, 50))),
    row('ack p99', ms(percentile(acks, 99)), { target, note: `max ${ms(acks.at(-1) ?? Number.NaN)}` }),
    row('acks over 3 s / non-200', `${over(acks)} / ${failed}`, { target: '0 / 0' }),
    row('views.open p50', ms(percentile(opens, 50))),
    row('views.open p99', ms(percentile(opens, 99)), {
      target,
      note: `max ${ms(opens.at(-1) ?? Number.NaN)}`,
    }),
    row('views.open over 3 s / missing', `${over(opens)} / ${missing}`, { target: '0 / 0' }),
  ];
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
const ms = (v: number) => `${v.toFixed(1)} ms`;

const BOT_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'slack-bot.ts');

/** Starts the bot process and resolves with its URL once it listens. */
async function startBot(slack: FakeSlack): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', BOT_SCRIPT, slack.apiUrl, slack.botToken], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('bench bot did not start in 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`bench bot exited with ${code}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  return { child, url };
}

async function stopBot(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function run(): Promise<BenchRow[]> {
  const slack = await new FakeSlack().start();
  const bot = await startBot(slack);
  const agent = new Agent({ connections: CONCURRENT, keepAliveTimeout: 10_000 });
  const guard = setTimeout(() => bot.child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  try {
    const send = async (trigger: string): Promise<Sent> => {
      const post = slashCommand({ trigger });
      const ts = Math.floor(Date.now() / 1000);
      const headers = {
        'content-type': post.contentType,
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': sign(SIGNING_SECRET, ts, post.body),
      };
      const started = performance.now();
      const res = await request(`${bot.url}/slack/events`, {
        method: 'POST',
        body: post.body,
        headers,
        dispatcher: agent,
      });
      await res.body.dump();
      return { trigger, started, ackMs: performance.now() - started, status: res.statusCode };
    };

    await Promise.all(Array.from({ length: WARMUP }, () => send(triggerId())));
    const measure = async (label: string, launch: (send1: () => Promise<Sent>) => Promise<Sent[]>) => {
      const results = await launch(() => send(triggerId()));
      // views.open follows the ack; give the stragglers until the deadline to arrive.
      const wanted = new Set(results.map((r) => r.trigger));
      const opened = () => slack.callsOf('views.open').filter((c) => wanted.has(String(c.args.trigger_id)));
      const until = performance.now() + DEADLINE_MS;
      while (opened().length < results.length && performance.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      const startedAt = new Map(results.map((r) => [r.trigger, r.started]));
      const acks = results.map((r) => r.ackMs).sort((a, b) => a - b);
      const opens = opened()
        .map((c) => c.at - (startedAt.get(String(c.args.trigger_id)) ?? c.at))
        .sort((a, b) => a - b);
      return summarise(label, acks, opens, results.filter((r) => r.status !== 200).length, results.length);
    };
    // The first burst pays for 500 new connections and a cold JIT; the second shows steady state.
    const cold = await measure(`${CONCURRENT} at once, cold`, (one) =>
      Promise.all(Array.from({ length: CONCURRENT }, one)),
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const warm = await measure(`${CONCURRENT} at once, warm`, (one) =>
      Promise.all(Array.from({ length: CONCURRENT }, one)),
    );
    const paced = await measure(`${CONCURRENT} at ${PACED_PER_SECOND}/s`, async (one) => {
      const pending: Array<Promise<Sent>> = [];
      for (let i = 0; i < CONCURRENT; i++) {
        pending.push(one());
        await new Promise((r) => setTimeout(r, 1000 / PACED_PER_SECOND));
      }
      return Promise.all(pending);
    });
    const load = loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
    return [
      ...cold,
      ...warm,
      ...paced,
      {
        bench: 'slack',
        metric: 'load average during run (1/5/15 min)',
        value: load,
        note: `${cpus().length} cores`,
      },
    ];
  } finally {
    clearTimeout(guard);
    await stopBot(bot.child);
    await agent.close();
    await slack.close();
  }
}
