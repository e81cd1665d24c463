// Parses a terminal line like `/avatar image=face.jpg voice=note.ogg mode=pro prompt="big smile"` into
// option values, with the option names taken from the shared command definition.
import { type AvatarOptionName, avatarCommand } from '../../commands/avatar.js';

export type ParsedLine =
  | { kind: 'empty' }
  | { kind: 'help' }
  | { kind: 'avatar'; values: Partial<Record<AvatarOptionName, string>> }
  | { kind: 'error'; message: string };

const TOKEN = /(\w+)=(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+))|(\S+)/g;
const KNOWN = new Set<string>(avatarCommand.options.map((o) => o.name));

export function parseLine(line: string): ParsedLine {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return { kind: 'empty' };
  if (trimmed === '/help' || trimmed === 'help') return { kind: 'help' };
  const [command, ...rest] = trimmed.split(/\s+/);
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
