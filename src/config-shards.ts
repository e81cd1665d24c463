// Discord gateway sharding settings (DISCORD_SHARDS, DISCORD_SHARD_IDS), parsed apart from config.ts so
// their rules stay in one place. The core never imports discord.js; the adapter maps these onto the
// Client's `shards`/`shardCount` options.

/** Discord refuses more shards than this per bot without a special arrangement; a typo guard. */
const MAX_SHARDS = 10_000;

export interface ShardSettings {
  /** Total shards of the bot across every process, or 'auto' for Discord's recommendation. */
  count: number | 'auto';
  /** The shard ids this process runs; undefined means all of them. */
  ids: number[] | undefined;
}

const WHOLE = /^\d+$/;

/**
 * Unset DISCORD_SHARDS keeps discord.js's default (one shard, id 0). DISCORD_SHARD_IDS needs a numeric
 * DISCORD_SHARDS, because ids only mean something against a fixed total that every instance agrees on.
 */
export function parseShardSettings(
  shards: string | undefined,
  shardIds: string | undefined,
): { settings: ShardSettings | undefined; problems: string[] } {
  const problems: string[] = [];
  let count: number | 'auto' | undefined;
  if (shards !== undefined) {
    if (shards.toLowerCase() === 'auto') count = 'auto';
    else if (WHOLE.test(shards) && Number(shards) >= 1 && Number(shards) <= MAX_SHARDS)
      count = Number(shards);
    else problems.push(`DISCORD_SHARDS: must be "auto" or a whole number from 1 to ${MAX_SHARDS}`);
  }
  let ids: number[] | undefined;
  if (shardIds !== undefined) {
    const parts = shardIds.split(',').map((part) => part.trim());
    const bad = parts.filter((part) => !WHOLE.test(part));
    if (bad.length > 0)
      problems.push(
        `DISCORD_SHARD_IDS: must be a comma-separated list of shard numbers (not ${bad.join(', ')})`,
      );
    else ids = [...new Set(parts.map(Number))].sort((a, b) => a - b);
    if (shards === undefined)
      problems.push('DISCORD_SHARD_IDS: needs DISCORD_SHARDS, the total number of shards across instances');
    else if (count === 'auto')
      problems.push('DISCORD_SHARD_IDS: needs a numeric DISCORD_SHARDS; with "auto" the total is unknown');
    else if (typeof count === 'number' && ids) {
      const total = count;
      const outside = ids.filter((id) => id >= total);
      if (outside.length > 0)
        problems.push(
          `DISCORD_SHARD_IDS: ${outside.join(', ')} not below DISCORD_SHARDS=${total} (ids run from 0 to ${total - 1})`,
        );
    }
  }
  if (problems.length > 0 || count === undefined) return { settings: undefined, problems };
  return { settings: { count, ids }, problems };
}
