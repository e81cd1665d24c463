// Reads what the user asked for out of a slash command, a message command's target message or a
// modal submission, and turns it into the core's AvatarRequest (shape checked before any reply).
import { MessageFlags, PermissionFlagsBits } from 'discord.js';
import type { AvatarOptionName } from '../../commands/avatar.js';
import type { Config } from '../../src/config.js';
import type { AvatarRequest, Mode, Requester } from '../../src/core/types.js';
import { validateRequest } from '../../src/core/validate-request.js';
import { InputError } from '../../src/errors.js';
import { type DiscordAddress, toReplyTarget } from './address.js';
import { type AttachmentPolicy, discordAttachment } from './attachments.js';
import type {
  CommandData,
  DiscordFile,
  Interaction,
  ModalData,
  ModalField,
  TargetMessage,
} from './payload.js';

/** What a message command found on its target, kept until the modal asking for the rest comes back. */
export interface PendingForm {
  userId: string;
  image?: DiscordFile;
  voice?: DiscordFile;
}

export interface RequestDraft {
  image?: DiscordFile;
  voice?: DiscordFile;
  text?: string;
  prompt?: string;
  mode?: string;
}

const AUDIO_EXT = /\.(ogg|opus|oga|mp3|m4a|aac|wav|flac|webm)$/i;
const IMAGE_EXT = /\.(jpe?g|jfif|png|webp|gif|avif|heic|heif)$/i;

/** Manage Server or Administrator: who counts as an admin of the bot's team controls. */
const ADMIN_BITS = PermissionFlagsBits.Administrator | PermissionFlagsBits.ManageGuild;

export function requesterOf(i: Interaction): Requester {
  const user = i.member?.user ?? i.user;
  const permissions = i.member?.permissions ? BigInt(i.member.permissions) : undefined;
  return {
    id: user?.id ?? '0',
    displayName: i.member?.nick || user?.global_name || user?.username || 'someone',
    ...(i.guild_id ? { tenantId: i.guild_id } : {}),
    ...(i.member?.roles ? { roles: i.member.roles } : {}),
    ...(permissions !== undefined ? { isAdmin: (permissions & ADMIN_BITS) !== 0n } : {}),
  };
}

export function localeOf(i: Interaction): string | undefined {
  return i.locale ?? i.guild_locale;
}

export function draftFromSlash(data: CommandData): RequestDraft {
  const draft: RequestDraft = {};
  const files = data.resolved?.attachments ?? {};
  for (const option of data.options ?? []) {
    const name = option.name as AvatarOptionName;
    const value = option.value;
    if ((name === 'image' || name === 'voice') && typeof value === 'string') {
      const file = files[value];
      if (file) draft[name] = file;
    } else if ((name === 'text' || name === 'prompt' || name === 'mode') && typeof value === 'string') {
      draft[name] = value;
    }
  }
  return draft;
}

const isAudio = (f: DiscordFile) => f.content_type?.startsWith('audio/') ?? AUDIO_EXT.test(f.filename);
const isImage = (f: DiscordFile) => f.content_type?.startsWith('image/') ?? IMAGE_EXT.test(f.filename);

/** The voice note and photo a message holds. A voice message carries exactly one audio file. */
export function mediaOfMessage(message: TargetMessage): Pick<RequestDraft, 'image' | 'voice'> {
  const voiceMessage = ((message.flags ?? 0) & MessageFlags.IsVoiceMessage) !== 0;
  const voice = voiceMessage ? message.attachments[0] : message.attachments.find(isAudio);
  const image = voiceMessage ? undefined : message.attachments.find(isImage);
  return { ...(voice ? { voice } : {}), ...(image ? { image } : {}) };
}

function modalFields(data: ModalData): ModalField[] {
  return data.components.flatMap((c) => (c.component ? [c.component] : (c.components ?? [])));
}

/** Merges the modal's answers with what the original message held. */
export function draftFromModal(data: ModalData, form: PendingForm): RequestDraft {
  const draft: RequestDraft = {
    ...(form.image ? { image: form.image } : {}),
    ...(form.voice ? { voice: form.voice } : {}),
  };
  const files = data.resolved?.attachments ?? {};
  for (const field of modalFields(data)) {
    const id = field.custom_id;
    const first = field.values?.[0];
    if ((id === 'image' || id === 'voice') && first && !draft[id]) {
      const file = files[first];
      if (file) draft[id] = file;
    } else if ((id === 'text' || id === 'prompt') && typeof field.value === 'string' && field.value.trim()) {
      draft[id] = field.value;
    } else if (id === 'mode' && first) {
      draft.mode = first;
    }
  }
  return draft;
}

export interface BuildContext {
  interaction: Interaction;
  idempotencyKey: string;
  address: DiscordAddress;
  policy: AttachmentPolicy;
  config: Config;
}

/** Throws InputError (missing pieces, foreign hosts, oversized files, bad text) before any reply. */
export function buildRequest(draft: RequestDraft, ctx: BuildContext): AvatarRequest {
  const locale = localeOf(ctx.interaction);
  if (!draft.image) throw new InputError('IMAGE_MISSING', 'no image');
  const request: AvatarRequest = {
    idempotencyKey: ctx.idempotencyKey,
    requester: requesterOf(ctx.interaction),
    replyTo: toReplyTarget(ctx.address),
    image: discordAttachment(draft.image, 'image', ctx.policy, locale),
    ...(draft.voice ? { voice: discordAttachment(draft.voice, 'voice', ctx.policy, locale) } : {}),
    ...(draft.text?.trim() ? { text: draft.text } : {}),
    ...(draft.prompt?.trim() ? { prompt: draft.prompt } : {}),
    ...(draft.mode ? { mode: draft.mode as Mode } : {}),
    ...(locale ? { locale } : {}),
    ...(ctx.address.channelId ? { channelId: ctx.address.channelId } : {}),
    raw: { interactionId: ctx.interaction.id },
  };
  validateRequest(request, ctx.config);
  return request;
}
