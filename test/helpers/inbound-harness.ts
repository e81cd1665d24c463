// One real app with every inbound route live at once: Slack HTTP mode (fake Slack), Discord HTTP
// interactions (fake Discord REST, real Ed25519 keys), Kling callbacks and media links, all on the
// core's one server. `world()` snapshots everything a forged request could have left behind: job
// records (counted straight in the SQLite file), unfinished jobs, provider calls, platform calls.
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import { type DiscordHandle, startDiscordAdapter } from '../../adapters/discord/index.js';
import type { Job } from '../../src/jobs/job.js';
import { FakeDiscord } from '../fakes/fake-discord.js';
import { APP_ID, makeKeys, type TestKeys } from '../fakes/fake-discord-payloads.js';
import { type SlackHarness, startSlackHarness } from '../fakes/fake-slack-harness.js';
import { freePort } from './free-port.js';

export interface InboundHarness {
  h: SlackHarness;
  discord: FakeDiscord;
  keys: TestKeys;
  /** The app's base URL (also its PUBLIC_URL). */
  url: string;
  world(): Promise<World>;
  /** Resolves with the job once it is delivered or failed. */
  waitForEnd(jobId: string, timeoutMs?: number): Promise<Job>;
  close(): Promise<void>;
}

export interface World {
  /** Jobs the store accepted (its insert, wrapped), and the job records counted in the SQLite file. */
  inserts: number;
  jobs: number | 'not sqlite';
  unfinished: string[];
  /** Task create requests the Kling emulator received, and its task queries. */
  creates: number;
  createIds: string[];
  queries: number;
  /** Every call the bot made to the fake Discord REST API and the fake Slack Web API. */
  discordCalls: number;
  discordFiles: number;
  slackCalls: number;
  slackDownloads: number;
}

async function countJobs(storeUrl: string): Promise<number | 'not sqlite'> {
  if (!storeUrl.startsWith('sqlite://')) return 'not sqlite';
  const store = new KeyvSqlite({ uri: storeUrl, busyTimeout: 10_000 });
  const jobs = new Keyv({ store, namespace: 'jobs' });
  let count = 0;
  try {
    const iterate = jobs.iterator;
    if (!iterate) throw new Error('store cannot list keys');
    for await (const _entry of iterate.call(jobs, undefined)) count += 1;
  } finally {
    await store.disconnect();
  }
  return count;
}

/** `env` is merged into the app's environment (a job engine from helpers/engines.ts, say). */
export async function startInboundHarness(env: Record<string, string> = {}): Promise<InboundHarness> {
  const discord = await FakeDiscord.start();
  const keys = makeKeys();
  const port = await freePort();
  const h = await startSlackHarness({
    env: {
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DISCORD_TOKEN: discord.botToken,
      DISCORD_APPLICATION_ID: APP_ID,
      DISCORD_PUBLIC_KEY: keys.publicKeyHex,
      DISCORD_MODE: 'http',
      DISCORD_API_URL: discord.apiUrl,
      ...env,
    },
  });
  let inserts = 0;
  const store = h.app.store;
  const insert = store.insert.bind(store);
  store.insert = async (job) => {
    const result = await insert(job);
    if (result.inserted) inserts += 1;
    return result;
  };
  const config = h.app.config.discord;
  if (!config) throw new Error('DISCORD_* env did not produce a Discord config');
  let handle: DiscordHandle | undefined;
  try {
    handle = await startDiscordAdapter(h.app, config, { statusIntervalMs: 100 });
  } catch (error) {
    await h.close();
    await discord.close();
    throw error;
  }
  return {
    h,
    discord,
    keys,
    url: h.url,
    async world() {
      const stats = h.app.emulator?.stats();
      return {
        inserts,
        jobs: await countJobs(h.app.config.store.url),
        unfinished: (await h.app.store.listUnfinished()).map((j) => j.id).sort(),
        creates: stats?.creates ?? 0,
        createIds: Object.keys(stats?.createsByExternalId ?? {}).sort(),
        queries: stats?.queries ?? 0,
        discordCalls: discord.calls.length,
        discordFiles: discord.fileRequests.length,
        slackCalls: h.slack.calls.length,
        slackDownloads: h.slack.downloads.length,
      };
    },
    async waitForEnd(jobId, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = await h.app.service.getJob(jobId);
        if (job && (job.state === 'delivered' || job.state === 'failed')) return job;
        if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job?.state ?? 'missing'}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await handle?.stop();
      await h.close();
      await discord.close();
    },
  };
}

/** Lets any asynchronous side effect of a refused request happen before the world is compared. */
export const settle = (ms = 250) => new Promise((r) => setTimeout(r, ms));

/** The `/avatar` modal as the bot opens it (photo and voice inputs, target channel in its metadata). */
export function avatarModal(channel: string) {
  return {
    blocks: [
      { type: 'input', block_id: 'image' },
      { type: 'input', block_id: 'voice' },
    ],
    private_metadata: JSON.stringify({ v: 1, channel }),
    callback_id: 'avatar_modal',
  };
}
