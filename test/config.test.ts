// Configuration: defaults from an empty environment, and one error listing every bad variable.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

describe('loadConfig', () => {
  it('starts with documented defaults from an empty environment', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(3000);
    expect(config.kling.apiKey).toBeUndefined();
    expect(config.kling.baseUrl).toBe('https://api.cometapi.com');
    expect(config.audio).toMatchObject({ minSeconds: 2, maxSeconds: 60, maxBytes: 5_000_000 });
    expect(config.store.url).toMatch(/^sqlite:\/\/.*data\/bot\.sqlite$/);
    expect(config.follow).toEqual({ pollFirstMs: 10_000, pollMaxMs: 60_000, deadlineMs: 1_200_000 });
    expect(config.discord).toBeUndefined();
    expect(config.slack).toBeUndefined();
  });

  it('lists every malformed variable in one error', () => {
    try {
      loadConfig({ PORT: 'eighty', AUDIO_MAX_SECONDS: '900', DEFAULT_MODE: 'ultra', PUBLIC_URL: 'ftp://x' });
      expect.unreachable('loadConfig should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'AUDIO_MAX_SECONDS', 'DEFAULT_MODE', 'PUBLIC_URL'])
        expect(problems).toContain(name);
    }
  });

  it('refuses half-configured platforms and inconsistent settings', () => {
    expect(() => loadConfig({ DISCORD_TOKEN: 't', DISCORD_MODE: 'http' })).toThrow(
      /DISCORD_APPLICATION_ID[\s\S]*DISCORD_PUBLIC_KEY/,
    );
    expect(() => loadConfig({ SLACK_CLIENT_ID: 'c' })).toThrow(/SLACK_CLIENT_SECRET/);
    expect(() => loadConfig({ KLING_AUDIO_TRANSPORT: 'url' })).toThrow(/PUBLIC_URL/);
    expect(() => loadConfig({ STORE_URL: 'mysql://x' })).toThrow(/STORE_URL/);
  });

  it('never puts the API key into the error text', () => {
    try {
      loadConfig({ COMETAPI_KEY: 'sk-supersecret-123456', PORT: '-1' });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('sk-supersecret');
    }
    expect(loadConfig({ COMETAPI_KEY: 'sk-supersecret-123456' }).kling.apiKey).toBe('sk-supersecret-123456');
  });
});

describe('Discord sharding settings', () => {
  const discord = { DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: '1' };

  it('maps DISCORD_SHARDS and DISCORD_SHARD_IDS, and leaves both unset by default', () => {
    expect(loadConfig(discord).discord?.shards).toBeUndefined();
    expect(loadConfig({ ...discord, DISCORD_SHARDS: 'auto' }).discord?.shards).toEqual({
      count: 'auto',
      ids: undefined,
    });
    expect(
      loadConfig({ ...discord, DISCORD_SHARDS: '4', DISCORD_SHARD_IDS: '3, 1,1' }).discord?.shards,
    ).toEqual({ count: 4, ids: [1, 3] });
  });

  it('lists every bad shard setting by name', () => {
    const problemsOf = (env: Record<string, string>) => {
      try {
        loadConfig({ ...discord, ...env });
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problemsOf({ DISCORD_SHARDS: 'two' })).toEqual([expect.stringMatching(/^DISCORD_SHARDS: /)]);
    expect(problemsOf({ DISCORD_SHARDS: '0' })).toEqual([expect.stringMatching(/^DISCORD_SHARDS: /)]);
    expect(problemsOf({ DISCORD_SHARDS: '2', DISCORD_SHARD_IDS: '1,2,5' })).toEqual([
      expect.stringMatching(/^DISCORD_SHARD_IDS: 2, 5 not below DISCORD_SHARDS=2/),
    ]);
    expect(problemsOf({ DISCORD_SHARDS: '2', DISCORD_SHARD_IDS: '1,x,-1' })).toEqual([
      expect.stringMatching(/^DISCORD_SHARD_IDS: .*\(not x, -1\)/),
    ]);
    expect(problemsOf({ DISCORD_SHARD_IDS: '0' })).toEqual([expect.stringMatching(/needs DISCORD_SHARDS/)]);
    expect(problemsOf({ DISCORD_SHARDS: 'auto', DISCORD_SHARD_IDS: '0' })).toEqual([
      expect.stringMatching(/numeric DISCORD_SHARDS/),
    ]);
    expect(problemsOf({ DISCORD_SHARDS: '2', DISCORD_SHARD_IDS: '0,1' })).toEqual([]);
  });
});
