// The subset of Discord's interaction JSON this adapter reads, checked with zod: even a correctly
// signed payload is parsed defensively, and everything downstream works on these narrow types.
import { z } from 'zod';

const snowflake = z.string().regex(/^\d{15,21}$/);
export const attachmentSchema = z.object({
  id: snowflake,
  filename: z.string().min(1).max(1024),
  content_type: z.string().max(255).optional(),
  size: z.number().int().nonnegative(),
  url: z.string().max(4096),
  duration_secs: z.number().nonnegative().optional(),
});
export type DiscordFile = z.infer<typeof attachmentSchema>;

const userSchema = z.object({
  id: snowflake,
  username: z.string().max(64),
  global_name: z.string().max(64).nullish(),
});

const targetMessageSchema = z.object({
  id: snowflake,
  channel_id: snowflake.optional(),
  flags: z.number().int().optional(),
  attachments: z.array(attachmentSchema).max(10).default([]),
});
export type TargetMessage = z.infer<typeof targetMessageSchema>;

const resolvedSchema = z
  .object({
    attachments: z.record(z.string(), attachmentSchema).optional(),
    messages: z.record(z.string(), targetMessageSchema).optional(),
  })
  .optional();

export const commandDataSchema = z.object({
  name: z.string().max(64),
  type: z.number().int(),
  target_id: snowflake.optional(),
  options: z
    .array(z.object({ name: z.string().max(32), type: z.number().int(), value: z.unknown().optional() }))
    .max(25)
    .optional(),
  resolved: resolvedSchema,
});
export type CommandData = z.infer<typeof commandDataSchema>;

export const componentDataSchema = z.object({
  custom_id: z.string().max(100),
  component_type: z.number().int(),
});

const modalFieldSchema = z.object({
  type: z.number().int(),
  custom_id: z.string().max(100).optional(),
  value: z.union([z.string().max(4000), z.boolean(), z.null()]).optional(),
  values: z.array(z.string().max(100)).max(25).optional(),
});
export type ModalField = z.infer<typeof modalFieldSchema>;

export const modalDataSchema = z.object({
  custom_id: z.string().max(100),
  components: z
    .array(
      z.object({
        type: z.number().int(),
        component: modalFieldSchema.optional(),
        components: z.array(modalFieldSchema).max(5).optional(),
      }),
    )
    .max(5),
  resolved: resolvedSchema,
});
export type ModalData = z.infer<typeof modalDataSchema>;

export const interactionSchema = z.object({
  id: snowflake,
  application_id: snowflake,
  type: z.number().int(),
  token: z.string().min(1).max(1024),
  guild_id: snowflake.optional(),
  channel_id: snowflake.optional(),
  channel: z.object({ id: snowflake, type: z.number().int() }).optional(),
  member: z
    .object({
      user: userSchema,
      nick: z.string().max(64).nullish(),
      roles: z.array(snowflake).max(500).optional(),
      permissions: z
        .string()
        .regex(/^\d{1,40}$/)
        .optional(),
    })
    .optional(),
  user: userSchema.optional(),
  locale: z.string().max(16).optional(),
  guild_locale: z.string().max(16).optional(),
  app_permissions: z
    .string()
    .regex(/^\d{1,40}$/)
    .optional(),
  attachment_size_limit: z.number().int().positive().optional(),
  data: z.unknown().optional(),
  message: z.object({ id: snowflake }).optional(),
});
export type Interaction = z.infer<typeof interactionSchema>;

/** Interaction types (Discord's numbering). */
export const InteractionKind = {
  Ping: 1,
  Command: 2,
  Component: 3,
  Autocomplete: 4,
  ModalSubmit: 5,
} as const;

export function parseInteraction(json: unknown): Interaction | undefined {
  const parsed = interactionSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
