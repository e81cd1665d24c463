// Names shared by the modal, the listeners and the manifest (callback, block and action ids), and the
// codec for the modal's private_metadata, which comes back with the submission and is re-validated.
import { z } from 'zod';
import { avatarCommand } from '../../commands/avatar.js';
import type { SlackFileMeta } from './file-kinds.js';

export const SLASH_COMMAND = `/${avatarCommand.name}`;

/** Bot scopes: the manifest lists the same (a test compares them), OAuth installs ask for these. */
export const BOT_SCOPES = [
  'commands',
  'chat:write',
  'chat:write.public',
  'files:read',
  'files:write',
  // users.info: is_admin / is_owner, so workspace admins can use /avatar-settings and answer for others.
  'users:read',
] as const;

export const CALLBACK = {
  globalShortcut: 'avatar_global',
  messageShortcut: 'avatar_message',
  modal: 'avatar_modal',
} as const;

export const ACTION = {
  againPro: 'avatar_again_pro',
  againStd: 'avatar_again_std',
  retry: 'avatar_retry',
} as const;

/** Answers to a job waiting for its requester, and the button of `/avatar-forget`. */
export const CONTROL_ACTION = {
  confirm: 'avatar_confirm',
  cancel: 'avatar_cancel',
  consent: 'avatar_consent',
  forget: 'avatar_forget',
} as const;

/** Block ids equal action ids, so a field error names the block the value came from. */
export const FIELD = {
  image: 'image',
  voice: 'voice',
  text: 'text',
  prompt: 'prompt',
  mode: 'mode',
  channel: 'channel',
  consent: 'consent',
} as const;

export type FieldId = (typeof FIELD)[keyof typeof FIELD];

/** Slack caps private_metadata at 3000 characters. */
export const METADATA_MAX_CHARS = 3000;

const fileMetaSchema = z.object({
  id: z.string().min(1).max(40),
  name: z.string().max(120),
  mimetype: z.string().max(100).optional(),
  filetype: z.string().max(40).optional(),
  size: z.number().int().nonnegative().optional(),
  url: z.string().max(1000).optional(),
  subtype: z.string().max(40).optional(),
});

const metadataSchema = z.object({
  v: z.literal(1),
  /** Channel to post in; absent for a global shortcut (the modal has a channel picker then). */
  channel: z.string().max(40).optional(),
  /** Files taken from the message a message shortcut was used on. */
  image: fileMetaSchema.optional(),
  voice: fileMetaSchema.optional(),
});

export interface ModalMetadata {
  channel?: string;
  image?: SlackFileMeta;
  voice?: SlackFileMeta;
}

export function encodeMetadata(meta: ModalMetadata): string {
  const text = JSON.stringify({ v: 1, ...meta });
  if (text.length > METADATA_MAX_CHARS) throw new Error('modal metadata too long');
  return text;
}

export function decodeMetadata(text: string | undefined): ModalMetadata | undefined {
  try {
    const parsed = metadataSchema.safeParse(JSON.parse(text ?? ''));
    if (!parsed.success) return undefined;
    const { v: _version, ...meta } = parsed.data;
    return stripUndefined(meta) as ModalMetadata;
  } catch {
    return undefined;
  }
}

function stripUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
