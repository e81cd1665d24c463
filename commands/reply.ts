// What the team-control command handlers return: localised text every adapter can post as it is, plus
// the buttons it may offer. Refusals (not an admin, unknown job, bad value) come back as text too.
import type { AvatarService } from '../src/core/avatar-service.js';
import type { Requester } from '../src/core/types.js';
import { AvatarError } from '../src/errors.js';
import { t } from '../src/i18n/catalog.js';
import type { MessageKey } from '../src/i18n/en.js';

export type ReplyAction = { action: 'confirm' | 'cancel' | 'consent'; jobId: string } | { action: 'forget' };

export interface CommandReply {
  text: string;
  /** The text is for the caller only (ephemeral on Discord and Slack). */
  private: boolean;
  /** Buttons an adapter may add: each maps to commands/avatar-job-actions.ts or avatar-forget. */
  actions?: ReplyAction[];
  /** The error code when the command was refused. */
  error?: string;
}

/** Option values as the adapter parsed them, by option name. */
export type CommandArgs = Readonly<Record<string, string | undefined>>;

/** Every handler has this shape, so an adapter exposes a command with one generic route. */
export type CommandHandler = (
  service: AvatarService,
  requester: Requester,
  args: CommandArgs,
  locale: string | undefined,
) => Promise<CommandReply>;

/**
 * Runs a handler body in the caller's language (the platform's locale for the user, else the team's
 * default); an AvatarError becomes its user-facing sentence instead of an exception.
 */
export async function replying(
  service: AvatarService,
  requester: Requester,
  platformLocale: string | undefined,
  work: (locale: string | undefined) => Promise<CommandReply>,
): Promise<CommandReply> {
  const locale = await service.localeFor(requester, platformLocale);
  try {
    return await work(locale);
  } catch (error) {
    if (!(error instanceof AvatarError)) throw error;
    const expected = error.params.expected;
    // SETTING_INVALID names the expected form by catalogue key, so it reads in the caller's language.
    const params =
      typeof expected === 'string' && expected.startsWith('settings.expect.')
        ? { ...error.params, expected: t(locale, expected as MessageKey) }
        : error.params;
    return { text: t(locale, `error.${error.code}` as MessageKey, params), private: true, error: error.code };
  }
}

/** Seconds with at most one decimal: 6.6, 60. */
export function formatSeconds(seconds: number): string {
  const rounded = Math.round(seconds * 10) / 10;
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
}
