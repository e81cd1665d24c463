// The Discord command JSON derived from commands/avatar.ts, and `npm run register`'s bulk overwrite
// (guild-scoped when DISCORD_GUILD_ID is set, global otherwise) against the fake API.
import { ApplicationCommandOptionType, REST } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandDefinitions, MESSAGE_COMMAND_NAME } from '../adapters/discord/commands.js';
import { DiscordApi } from '../adapters/discord/discord-api.js';
import { registerCommands } from '../adapters/discord/register.js';
import { restOptions } from '../adapters/discord/rest.js';
import { avatarCommand } from '../commands/avatar.js';
import { FakeDiscord } from './fakes/fake-discord.js';
import { APP_ID, GUILD_ID } from './fakes/fake-discord-payloads.js';

const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

describe('commandDefinitions', () => {
  const [slash, message] = commandDefinitions();
  const options = (slash?.options ?? []) as Array<Record<string, unknown>>;

  it('mirrors every /avatar option with Discord types, limits and choices', () => {
    expect(slash).toMatchObject({ type: 1, name: 'avatar' });
    expect(options.map((o) => o.name)).toEqual(avatarCommand.options.map((o) => o.name));
    expect(options.find((o) => o.name === 'image')).toMatchObject({
      type: ApplicationCommandOptionType.Attachment,
      required: true,
      file_types: ['image'],
    });
    expect(options.find((o) => o.name === 'voice')).toMatchObject({
      type: 11,
      required: false,
      file_types: ['audio'],
    });
    expect(options.find((o) => o.name === 'text')).toMatchObject({ type: 3, max_length: 1000 });
    expect(options.find((o) => o.name === 'mode')).toMatchObject({
      type: 3,
      choices: [
        { name: 'std', value: 'std' },
        { name: 'pro', value: 'pro' },
      ],
    });
  });

  it('stays inside Discord naming and length rules', () => {
    expect(NAME.test(String(slash?.name))).toBe(true);
    for (const option of options) {
      expect(NAME.test(String(option.name))).toBe(true);
      expect(String(option.description).length).toBeLessThanOrEqual(100);
    }
    expect(JSON.stringify(slash).length).toBeLessThan(8000);
  });

  it('adds the message command, with no description, installable in guilds and usable in bot DMs', () => {
    expect(message).toEqual({
      type: 3,
      name: MESSAGE_COMMAND_NAME,
      integration_types: [0],
      contexts: [0, 1],
    });
  });
});

describe('registerCommands', () => {
  let fake: FakeDiscord;
  let api: DiscordApi;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
    api = new DiscordApi(new REST(restOptions(fake.apiUrl)).setToken(fake.botToken), APP_ID);
  });
  afterAll(async () => {
    await fake.close();
  });

  it('overwrites the guild commands in one PUT when a guild is given', async () => {
    const result = await registerCommands(api, GUILD_ID);
    expect(result).toEqual({ scope: 'guild', names: ['avatar', MESSAGE_COMMAND_NAME] });
    const [put] = fake.callsTo('PUT', /commands$/);
    expect(put?.path).toBe(`/applications/${APP_ID}/guilds/${GUILD_ID}/commands`);
    expect(put?.auth).toBe('bot');
    expect(put?.json).toEqual(commandDefinitions());
  });

  it('overwrites the global commands otherwise', async () => {
    const result = await registerCommands(api, undefined);
    expect(result.scope).toBe('global');
    expect(fake.callsTo('PUT', /commands$/).at(-1)?.path).toBe(`/applications/${APP_ID}/commands`);
  });
});
