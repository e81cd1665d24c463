// The team-control commands in one list, so an adapter can register and route all of them the same
// way: each entry is a platform-neutral definition and its handler.

import type { CommandDefinition } from './avatar.js';
import { avatarForgetCommand, handleAvatarForget } from './avatar-forget.js';
import { avatarSettingsCommand, handleAvatarSettings } from './avatar-settings.js';
import { avatarStatusCommand, handleAvatarStatus } from './avatar-status.js';
import { avatarUsageCommand, handleAvatarUsage } from './avatar-usage.js';
import type { CommandHandler } from './reply.js';

export interface ControlCommand {
  definition: CommandDefinition;
  handle: CommandHandler;
}

export const controlCommands: readonly ControlCommand[] = [
  { definition: avatarSettingsCommand, handle: handleAvatarSettings },
  { definition: avatarUsageCommand, handle: handleAvatarUsage },
  { definition: avatarStatusCommand, handle: handleAvatarStatus },
  { definition: avatarForgetCommand, handle: handleAvatarForget },
];

/** One-line usage of a command, for help text in any adapter. */
export function commandUsage(definition: CommandDefinition): string {
  const options = definition.options.map((o) => (o.required ? `<${o.name}>` : `[${o.name}]`));
  return [`/${definition.name}`, ...options].join(' ');
}
