// Where a job's messages go on Discord, kept in the job record (ReplyTarget.address) so a restarted
// process can still edit the status message and post the result. Built once from the interaction.
import { ChannelType, PermissionFlagsBits } from 'discord.js';
import { z } from 'zod';
import type { ReplyTarget } from '../../src/core/types.js';
import type { Interaction } from './payload.js';

export const ADAPTER_NAME = 'discord';

/** Discord's default per-file upload limit since 2025-01 (boosts and Nitro can raise it). */
export const DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024;
/** The interaction token lives 15 minutes; stop using it a minute early so a slow call cannot straddle. */
export const INTERACTION_TOKEN_TTL_MS = 14 * 60_000;
const DISCORD_EPOCH_MS = 1_420_070_400_000n;

const addressSchema = z.object({
  token: z.string(),
  issuedAt: z.number(),
  channelId: z.string(),
  guildId: z.string(),
  messageId: z.string(),
  canThread: z.boolean(),
  canPost: z.boolean(),
  canAttach: z.boolean(),
  /** Replying to the status message needs Read Message History; without it the post stands alone. */
  canReply: z.boolean().default(false),
  uploadLimit: z.number(),
});
export type DiscordAddress = z.infer<typeof addressSchema>;

const THREAD_TYPES = new Set<number>([
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
  ChannelType.AnnouncementThread,
]);
const THREADABLE_PARENTS = new Set<number>([ChannelType.GuildText, ChannelType.GuildAnnouncement]);

export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH_MS);
}

function has(perms: bigint, ...flags: bigint[]): boolean {
  return flags.every((flag) => (perms & flag) === flag);
}

/** What the bot itself may do in the interaction's channel, from `app_permissions`. */
export function channelAbilities(
  i: Interaction,
): Pick<DiscordAddress, 'canThread' | 'canPost' | 'canAttach' | 'canReply'> {
  // A DM with the bot has no guild permissions to check: the bot can always post there.
  if (!i.guild_id) return { canThread: false, canPost: true, canAttach: true, canReply: true };
  const perms = BigInt(i.app_permissions ?? '0');
  const type = i.channel?.type ?? -1;
  const inThread = THREAD_TYPES.has(type);
  const view = PermissionFlagsBits.ViewChannel;
  return {
    canThread:
      THREADABLE_PARENTS.has(type) &&
      has(perms, view, PermissionFlagsBits.CreatePublicThreads, PermissionFlagsBits.SendMessagesInThreads),
    canPost: has(
      perms,
      view,
      inThread ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages,
    ),
    canAttach: has(perms, PermissionFlagsBits.AttachFiles),
    canReply: has(perms, PermissionFlagsBits.ReadMessageHistory),
  };
}

export function buildAddress(i: Interaction, messageId: string, now = Date.now()): DiscordAddress {
  return {
    token: i.token,
    // The snowflake says when Discord created the interaction; never trust a later local clock more.
    issuedAt: Math.min(now, snowflakeTime(i.id)),
    channelId: i.channel_id ?? i.channel?.id ?? '',
    guildId: i.guild_id ?? '',
    messageId,
    ...channelAbilities(i),
    uploadLimit: i.attachment_size_limit ?? DEFAULT_UPLOAD_LIMIT,
  };
}

export function toReplyTarget(address: DiscordAddress): ReplyTarget {
  return { adapter: ADAPTER_NAME, address: { ...address } };
}

export function readAddress(target: ReplyTarget): DiscordAddress | undefined {
  const parsed = addressSchema.safeParse(target.address);
  return parsed.success ? parsed.data : undefined;
}

export function tokenUsable(address: DiscordAddress, now = Date.now()): boolean {
  return address.token !== '' && now - address.issuedAt < INTERACTION_TOKEN_TTL_MS;
}
