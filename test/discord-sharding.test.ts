// Gateway sharding end to end at the wire: DISCORD_SHARDS / DISCORD_SHARD_IDS go through loadConfig and
// the adapter's Client options into a real discord.js login against a fake gateway, which records the
// `shard` pair each IDENTIFY carried.
import { Events } from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayClient } from '../adapters/discord/gateway.js';
import { loadConfig } from '../src/config.js';
import { FakeDiscordGateway } from './fakes/fake-discord-gateway.js';

let gateway: FakeDiscordGateway;
const clients: Array<{ destroy(): Promise<void> }> = [];

beforeAll(async () => {
  gateway = await FakeDiscordGateway.start();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  gateway.identifies.length = 0;
  gateway.recommendedShards = 1;
});
afterAll(async () => {
  await gateway?.close();
});

/** Logs a client built from these variables in, and resolves once discord.js says it is ready. */
async function loginWith(env: Record<string, string>) {
  const config = loadConfig({
    DISCORD_TOKEN: gateway.botToken,
    DISCORD_APPLICATION_ID: gateway.applicationId,
    DISCORD_API_URL: gateway.apiUrl,
    ...env,
  }).discord;
  if (!config) throw new Error('discord config missing');
  const client = createGatewayClient(config.apiUrl, config.shards);
  clients.push(client);
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(config.token);
  await ready;
  return client;
}

describe('Discord gateway sharding', () => {
  it('runs only the listed shard of a fixed total: DISCORD_SHARDS=2, DISCORD_SHARD_IDS=1', async () => {
    const client = await loginWith({ DISCORD_SHARDS: '2', DISCORD_SHARD_IDS: '1' });
    const identifies = await gateway.waitForIdentifies(1);
    expect(identifies.map((i) => i.shard)).toEqual([[1, 2]]);
    expect(identifies[0]?.intents).toBe(0);
    expect([...client.ws.shards.keys()]).toEqual([1]);
    expect(client.options.shardCount).toBe(2);
    // No second connection turns up later for the shard another instance runs.
    await new Promise((r) => setTimeout(r, 200));
    expect(gateway.identifies).toHaveLength(1);
  });

  it('runs every shard in one process when only the total is set', async () => {
    await loginWith({ DISCORD_SHARDS: '3' });
    const shards = (await gateway.waitForIdentifies(3)).map((i) => i.shard);
    expect(shards.sort((a, b) => (a?.[0] ?? 0) - (b?.[0] ?? 0))).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
    ]);
  });

  it("takes Discord's recommended count with DISCORD_SHARDS=auto", async () => {
    gateway.recommendedShards = 2;
    const client = await loginWith({ DISCORD_SHARDS: 'auto' });
    const shards = (await gateway.waitForIdentifies(2)).map((i) => i.shard?.join('/')).sort();
    expect(shards).toEqual(['0/2', '1/2']);
    expect(client.options.shardCount).toBe(2);
  });

  it("keeps discord.js's single shard when nothing is set", async () => {
    await loginWith({});
    expect((await gateway.waitForIdentifies(1)).map((i) => i.shard)).toEqual([[0, 1]]);
  });
});
