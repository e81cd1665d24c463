// The `/avatar` command, defined once for every platform: adapters derive their slash commands,
// forms and terminal syntax from this list, so names, limits and help text never drift apart.
import type { Mode } from '../src/core/types.js';

export type OptionType = 'attachment' | 'string' | 'choice';

export interface CommandOption {
  name: string;
  type: OptionType;
  required: boolean;
  description: string;
  choices?: readonly string[];
  maxLength?: number;
}

export interface CommandDefinition {
  name: string;
  description: string;
  options: readonly CommandOption[];
}

export const MODES: readonly Mode[] = ['std', 'pro'];

export const avatarCommand = {
  name: 'avatar',
  description: 'Make a talking-avatar video from a face photo and a voice note (or text)',
  options: [
    {
      name: 'image',
      type: 'attachment',
      required: true,
      description: 'Face photo: JPG, PNG, WebP, GIF or AVIF',
    },
    { name: 'voice', type: 'attachment', required: false, description: 'Voice note, 2 to 60 seconds' },
    {
      name: 'text',
      type: 'string',
      required: false,
      maxLength: 1000,
      description: 'What the avatar should say, if you attach no voice note',
    },
    {
      name: 'prompt',
      type: 'string',
      required: false,
      maxLength: 2500,
      description: 'Expression, gestures or camera, e.g. "smiles, small nods"',
    },
    {
      name: 'mode',
      type: 'choice',
      required: false,
      choices: MODES,
      description: 'std (cheaper) or pro (better)',
    },
  ],
} as const satisfies CommandDefinition;

export type AvatarOptionName = (typeof avatarCommand.options)[number]['name'];

/** One-line usage, for help text in any adapter. */
export function avatarUsage(): string {
  return `/${avatarCommand.name} ${avatarCommand.options
    .map((o) => (o.required ? `${o.name}=<${o.type}>` : `[${o.name}=…]`))
    .join(' ')}`;
}
