// Fault injection, bad media: a corpus of 51 broken, hostile or oversized photos and voice notes (built
// here, see helpers/fault-corpus.ts) fed as `/avatar` lines to ONE real bot process (shell adapter,
// Kling emulator in this process). The bot must survive them all, answer each with its catalogue
// message and no internals, spend nothing at the provider, fetch nothing from the loopback "attacker"
// the playlists and SVGs point at, and keep its memory bounded.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KlingEmulator } from '../src/kling/emulator/server.js';
import { startTestEmulator } from './emulator-helpers.js';
import { type BotProcess, botTestEnv, startBot } from './helpers/bot-process.js';
import { ENGINES, engineEnv } from './helpers/engines.js';
import { buildCorpus, type CorpusItem, catalogueKeyOf } from './helpers/fault-corpus.js';
import { type PeakMemory, watchPeakMemory } from './helpers/proc-memory.js';

const API_KEY = 'sk-fault-corpus-0123456789';
/**
 * Measured on the test machine: the bot process peaks at about 180 MB for a single bad line (Node,
 * tsx, sharp, discord.js and Slack's SDK loaded) and at about 220 MB for this whole corpus; the largest
 * ffmpeg/ffprobe child stays near 55 MB. Decoding the 20000x20000 PNG would need 1.2 GB and the
 * 60000x60000 JPEG 10.8 GB, and reading /dev/zero or /dev/urandom has no end, so 400 MB leaves room
 * for a slower machine while still failing on any of those. (The sparse 26 MiB files are refused from
 * their size before any read; their DOWNLOAD_TOO_BIG message is checked per input below.)
 */
const PEAK_RSS_LIMIT_MB = 400;

/** Each input line's answer: the job's final `Failed:` line, or the `error:` line printed at once. */
function answers(bot: BotProcess): string[] {
  const accepted = bot.stdout.filter((l) => /^\[([\w-]+)\] queued$/.test(l) || l.startsWith('error: '));
  return accepted.map((line) => {
    const jobId = /^\[([\w-]+)\] queued$/.exec(line)?.[1];
    if (!jobId) return line.slice('error: '.length);
    const failed = bot.stdout.find((l) => l.startsWith(`[${jobId}] Failed: `)) ?? '(no failure line)';
    return failed.slice(`[${jobId}] Failed: `.length);
  });
}

const CHARGE_NOTE = / (Nothing was charged\.|The render was submitted, so it may have been charged\.)$/;

describe.each(ENGINES)('fault corpus through one real bot process ($name engine)', (engine) => {
  let root: string;
  let emulator: KlingEmulator;
  let attacker: Server;
  const attackerHits: string[] = [];
  let items: CorpusItem[];
  let bot: BotProcess;
  let exitCode: number | null;
  let memory: PeakMemory;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'fault-corpus-'));
    attacker = createServer((req, res) => {
      attackerHits.push(req.url ?? '');
      res.end('attacker');
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    const attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    emulator = await startTestEmulator(root, { apiKey: API_KEY });
    items = await buildCorpus(path.join(root, 'corpus'), attackerUrl);

    const input = `${items.map((i) => `/avatar image=${i.image} voice=${i.voice}`).join('\n')}\n`;
    bot = startBot(
      botTestEnv(
        root,
        { url: emulator.url, apiKey: API_KEY },
        {
          CONSENT_REQUIRED: 'false',
          CONFIRM_PRO: 'false',
          CONFIRM_THRESHOLD_USD: '100',
          ...(await engineEnv(engine)),
          // One person sends the whole corpus at once: no per-person or team limit may answer for the checks.
          ...Object.fromEntries(
            ['USER', 'TENANT'].flatMap((who) =>
              ['CONCURRENT_JOBS', 'JOBS_PER_DAY', 'SECONDS_PER_MONTH'].map((name) => [`${who}_${name}`, '0']),
            ),
          ),
        },
      ),
      input,
    );
    const watcher = watchPeakMemory(bot.child.pid ?? 0);
    const timeout = setTimeout(() => void bot.kill(), 90_000);
    exitCode = await bot.exited;
    clearTimeout(timeout);
    memory = watcher.stop();
  }, 150_000);

  afterAll(async () => {
    if (bot?.child.exitCode === null) await bot.kill();
    await emulator?.close();
    await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
    await rm(root, { recursive: true, force: true });
    await engine.teardown?.();
  });

  it('has at least 40 distinct bad inputs', () => {
    expect(items.length).toBeGreaterThanOrEqual(40);
    expect(new Set(items.map((i) => i.name)).size).toBe(items.length);
  });

  it('survives the whole corpus and shuts down on its own at the end of input', () => {
    // 1 is the shell's "some jobs failed" code; the clean-shutdown log tells it apart from a crash.
    expect(exitCode).toBe(1);
    const shutdown = bot.logs.find((l) => l.msg === 'shutting down');
    expect(shutdown?.signal).toBe('end of input');
    expect(bot.logs.filter((l) => Number(l.level) >= 50 || l.msg === 'non-json')).toEqual([]);
  });

  it('answers every input with the catalogue message for what is wrong with it', () => {
    const got = answers(bot);
    expect(got).toHaveLength(items.length);
    const table = items.map((item, i) => {
      const reason = (got[i] ?? '').replace(CHARGE_NOTE, '');
      return { name: item.name, key: catalogueKeyOf(reason), reason };
    });
    // On a mismatch the message shows what the bot actually printed for each input.
    const printed = table.map((row) => `${row.name}: ${row.reason}`).join('\n');
    expect(
      table.map(({ name, key }) => ({ name, key })),
      printed,
    ).toEqual(items.map((item) => ({ name: item.name, key: item.expect })));
    for (const line of got) expect(line).toMatch(/ Nothing was charged\.$/);
  });

  it('shows no stack traces, exception names or internal paths', () => {
    const out = bot.stdout.join('\n');
    expect(out).not.toMatch(/^\s+at /m);
    expect(out).not.toMatch(/\b(Error|TypeError|ToolError|InputError):/);
    expect(out).not.toMatch(/node_modules|\/src\/|\.ts:\d+|ffmpeg|ffprobe|sharp|libvips|stderr/i);
    expect(out).not.toContain(root);
  });

  it('spends nothing: not one create request reached the provider', () => {
    expect(emulator.stats()).toMatchObject({ creates: 0, rejectedCreates: 0, ttsCreates: 0 });
    expect(emulator.stats().createsByExternalId).toEqual({});
    expect(emulator.tasks()).toEqual([]);
  });

  it('never fetched what the playlists, the SDP or the SVGs point at', () => {
    expect(attackerHits).toEqual([]);
  });

  it(`keeps the peak resident memory under ${PEAK_RSS_LIMIT_MB} MB`, async ({ annotate }) => {
    await annotate(
      `fault corpus: ${items.length} inputs, bot peak RSS ${memory.processMb.toFixed(0)} MB, ` +
        `largest media tool ${memory.largestChildMb.toFixed(0)} MB`,
    );
    expect(memory.processMb).toBeGreaterThan(50); // the sampler did read the process
    expect(memory.processMb).toBeLessThan(PEAK_RSS_LIMIT_MB);
    expect(memory.largestChildMb).toBeLessThan(PEAK_RSS_LIMIT_MB);
  });
});
