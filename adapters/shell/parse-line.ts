// Parses a terminal line like `/avatar image=face.jpg voice=note.ogg mode=pro prompt="big smile"` into
// option values, with the option names taken from the shared command definitions. The team-control
// commands also take their options in order without names: `/avatar-settings set mode pro`.
import { type AvatarOptionName, avatarCommand } from '../../commands/avatar.js';
import { controlCommands } from '../../commands/controls.js';

export type ParsedLine =
  | { kind: 'empty' }
  | { kind: 'help' }
  | { kind: 'avatar'; values: Partial<Record<AvatarOptionName, string>> }
  | { kind: 'control'; command: string; args: Record<string, string> }
  | { kind: 'error'; message: string };

/** Option names in positional order: the shared definitions, and the terminal's answers to a job. */
export const CONTROL_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(
    controlCommands.map((c) => [c.definition.name, c.definition.options.map((o) => o.name)]),
  ),
  confirm: ['job'],
  cancel: ['job'],
  consent: ['answer', 'job'],
};

const TOKEN = /(\w+)=(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+))|(\S+)/g;
const KNOWN = new Set<string>(avatarCommand.options.map((o) => o.name));

export function parseLine(line: string): ParsedLine {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return { kind: 'empty' };
  if (trimmed === '/help' || trimmed === 'help') return { kind: 'help' };
  const [command, ...rest] = trimmed.split(/\s+/);
  const control = command?.startsWith('/') ? CONTROL_OPTIONS[command.slice(1)] : undefined;
  if (command && control) return parseControl(command.slice(1), control, trimmed.slice(command.length));
  if (command !== `/${avatarCommand.name}`)
    return { kind: 'error', message: `unknown command ${command}; try /help` };
  const values: Partial<Record<AvatarOptionName, string>> = {};
  const args = trimmed.slice(command.length);
  for (const match of args.matchAll(TOKEN)) {
    const [, key, doubleQuoted, singleQuoted, bare, stray] = match;
    if (stray !== undefined) return { kind: 'error', message: `expected name=value, got "${stray}"` };
    if (!key || !KNOWN.has(key)) return { kind: 'error', message: `unknown option "${key}"` };
    const value =
      doubleQuoted !== undefined ? doubleQuoted.replace(/\\(.)/g, '$1') : (singleQuoted ?? bare ?? '');
    values[key as AvatarOptionName] = value;
  }
  void rest;
  return { kind: 'avatar', values };
}

function parseControl(command: string, names: readonly string[], rest: string): ParsedLine {
  const args: Record<string, string> = {};
  const positional: string[] = [];
  for (const match of rest.matchAll(TOKEN)) {
    const [, key, doubleQuoted, singleQuoted, bare, word] = match;
    if (word !== undefined) {
      positional.push(word);
      continue;
    }
    if (!key || !names.includes(key))
      return { kind: 'error', message: `unknown option "${key}" for /${command}` };
    args[key] =
      doubleQuoted !== undefined ? doubleQuoted.replace(/\\(.)/g, '$1') : (singleQuoted ?? bare ?? '');
  }
  const free = names.filter((name) => args[name] === undefined);
  if (positional.length > free.length)
    return { kind: 'error', message: `too many values for /${command}: expected ${names.join(', ')}` };
  positional.forEach((value, i) => {
    args[free[i] as string] = value;
  });
  return { kind: 'control', command, args };
}
