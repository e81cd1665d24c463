// `npm run register`: bulk-overwrites the bot's commands, in one guild when DISCORD_GUILD_ID is set
// (instant, good for testing) or globally otherwise. Safe to run again: the PUT replaces the set.
import { pathToFileURL } from 'node:url';
import { REST } from 'discord.js';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { commandDefinitions } from './commands.js';
import { DiscordApi, restErrorInfo } from './discord-api.js';
import { restOptions } from './rest.js';

export async function registerCommands(
  api: DiscordApi,
  guildId: string | undefined,
): Promise<{ scope: 'guild' | 'global'; names: string[] }> {
  const saved = (await api.putCommands(guildId, commandDefinitions())) as Array<{ name?: string }>;
  return { scope: guildId ? 'guild' : 'global', names: saved.map((c) => c.name ?? '?') };
}

async function main(): Promise<number> {
  let logger: Logger = createLogger({ level: 'info', format: 'auto' });
  try {
    const config = loadConfig();
    logger = createLogger({
      level: config.log.level,
      format: config.log.format,
      secrets: [config.discord?.token],
    });
    const discord = config.discord;
    if (!discord?.applicationId) {
      logger.error('set DISCORD_TOKEN and DISCORD_APPLICATION_ID to register commands');
      return 1;
    }
    const rest = new REST(restOptions(discord.apiUrl)).setToken(discord.token);
    const result = await registerCommands(new DiscordApi(rest, discord.applicationId), discord.guildId);
    logger.info({ ...result, guildId: discord.guildId }, 'discord commands registered');
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) logger.error({ problems: error.problems }, 'configuration is invalid');
    else logger.error(restErrorInfo(error), 'discord command registration failed');
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
