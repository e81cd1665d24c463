// Discord's command JSON, derived from the platform-neutral /avatar definition so names, limits and
// choices never drift: the slash command plus the "Make talking avatar" message command.
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
} from 'discord.js';
import { avatarCommand, type CommandOption } from '../../commands/avatar.js';

export const MESSAGE_COMMAND_NAME = 'Make talking avatar';

/** Guild installs only: the bot must be in the server to start threads and post with its own token. */
const INSTALL = { integration_types: [ApplicationIntegrationType.GuildInstall] };
/** Server channels (and their threads) and DMs with the bot; group DMs need a user install. */
const CONTEXTS = { contexts: [InteractionContextType.Guild, InteractionContextType.BotDM] };

/** `file_types` groups; Discord checks only extensions, the core checks the bytes. */
const FILE_TYPES: Record<string, string[]> = { image: ['image'], voice: ['audio'] };

function optionJson(option: CommandOption) {
  const base = {
    name: option.name,
    description: option.description.slice(0, 100),
    required: option.required,
  };
  switch (option.type) {
    case 'attachment':
      return {
        ...base,
        type: ApplicationCommandOptionType.Attachment,
        ...(FILE_TYPES[option.name] ? { file_types: FILE_TYPES[option.name] } : {}),
      };
    case 'choice':
      return {
        ...base,
        type: ApplicationCommandOptionType.String,
        choices: (option.choices ?? []).map((value) => ({ name: value, value })),
      };
    default:
      return {
        ...base,
        type: ApplicationCommandOptionType.String,
        ...(option.maxLength ? { max_length: Math.min(option.maxLength, 6000) } : {}),
      };
  }
}

export function commandDefinitions(): Array<Record<string, unknown>> {
  // Discord lists required options first; the neutral definition already keeps `image` first.
  const options = [...avatarCommand.options].sort((a, b) => Number(b.required) - Number(a.required));
  return [
    {
      type: ApplicationCommandType.ChatInput,
      name: avatarCommand.name,
      description: avatarCommand.description.slice(0, 100),
      options: options.map(optionJson),
      ...INSTALL,
      ...CONTEXTS,
    },
    { type: ApplicationCommandType.Message, name: MESSAGE_COMMAND_NAME, ...INSTALL, ...CONTEXTS },
  ];
}
