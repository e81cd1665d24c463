// What happens after the deferred response: make the public status message real (its id anchors the
// thread and bot-token edits later), then hand the request to the core. Input problems found by the
// core replace the public message with an ephemeral explanation.
import type { AvatarService } from '../../src/core/avatar-service.js';
import type { AvatarRequest, JobAction, Mode } from '../../src/core/types.js';
import { AvatarError, asAvatarError, InputError } from '../../src/errors.js';
import { describeError, t } from '../../src/i18n/catalog.js';
import type { Logger } from '../../src/logger.js';
import { jobIdFor } from '../../src/util/ids.js';
import { buildAddress, toReplyTarget } from './address.js';
import type { DiscordAdapter } from './discord-adapter.js';
import { type DiscordApi, restErrorInfo } from './discord-api.js';
import { ephemeralFollowUp, plainStatus } from './messages.js';
import { localeOf, requesterOf } from './parse.js';
import type { Interaction } from './payload.js';

export interface StarterDeps {
  service: AvatarService;
  api: DiscordApi;
  adapter: DiscordAdapter;
  logger: Logger;
}

export const idempotencyKeyOf = (i: Interaction) => `discord:${i.id}`;

export class JobStarter {
  constructor(private readonly deps: StarterDeps) {}

  /** A new job from a slash command, a message command or a modal. */
  async submit(i: Interaction, request: AvatarRequest): Promise<void> {
    const messageId = await this.anchor(i);
    try {
      const result = await this.deps.service.submit({
        ...request,
        replyTo: toReplyTarget(buildAddress(i, messageId)),
      });
      this.deps.logger.info(
        { jobId: result.jobId, duplicate: result.duplicate, interactionId: i.id },
        'discord request submitted',
      );
    } catch (error) {
      await this.withdraw(i, error);
    }
  }

  /** "Again in pro/std" and "Retry": a new job from an earlier job's saved inputs. */
  async rerun(i: Interaction, sourceJobId: string, mode: Mode | undefined): Promise<void> {
    const messageId = await this.anchor(i);
    const address = buildAddress(i, messageId);
    const idempotencyKey = idempotencyKeyOf(i);
    // The core copies the source job's ReplyTarget; until it accepts a new one, the adapter redirects
    // the new job's messages here itself. `replyTo` is passed for a core that already takes it.
    this.deps.adapter.redirect(jobIdFor(idempotencyKey), address);
    const options = {
      idempotencyKey,
      requesterId: requesterOf(i).id,
      ...(mode ? { mode } : {}),
      replyTo: toReplyTarget(address),
    };
    try {
      const result = await this.deps.service.rerun(sourceJobId, options);
      this.deps.logger.info(
        { jobId: result.jobId, sourceJobId, duplicate: result.duplicate },
        'discord re-run submitted',
      );
    } catch (error) {
      await this.withdraw(i, error);
    }
  }

  /** Confirm, Cancel or consent on a job waiting for its requester; the core checks who may answer. */
  async act(i: Interaction, action: JobAction, jobId: string): Promise<void> {
    const actor = requesterOf(i);
    try {
      if (action === 'confirm') await this.deps.service.confirm(jobId, actor);
      else if (action === 'cancel') await this.deps.service.cancel(jobId, actor);
      else await this.deps.service.giveConsent(jobId, actor);
      this.deps.logger.info({ jobId, action, by: actor.id }, 'discord job action applied');
    } catch (error) {
      const failure = asAvatarError(error);
      if (!(error instanceof AvatarError))
        this.deps.logger.error({ jobId, err: failure }, 'discord job action failed');
      try {
        await this.deps.api.followUp(i.token, ephemeralFollowUp(describeError(localeOf(i), failure)));
      } catch (replyError) {
        this.deps.logger.warn({ jobId, ...restErrorInfo(replyError) }, 'discord error reply failed');
      }
    }
  }

  /** Turns the "thinking…" placeholder into a real message and returns its id ('' if that failed). */
  private async anchor(i: Interaction): Promise<string> {
    try {
      const message = await this.deps.api.editOriginal(
        i.token,
        plainStatus(t(localeOf(i), 'discord.status.starting')),
      );
      return message.id;
    } catch (error) {
      this.deps.logger.warn(
        { interactionId: i.id, ...restErrorInfo(error) },
        'discord status message not created',
      );
      return '';
    }
  }

  private async withdraw(i: Interaction, error: unknown): Promise<void> {
    const { api, logger } = this.deps;
    const locale = localeOf(i);
    const failure: AvatarError = error instanceof AvatarError ? error : asAvatarError(error);
    const text = describeError(locale, failure);
    try {
      if (failure instanceof InputError) {
        // The deferred reply is public and cannot turn ephemeral, so it goes and a private note replaces it.
        await api.deleteOriginal(i.token);
        await api.followUp(i.token, ephemeralFollowUp(text));
      } else {
        logger.error({ interactionId: i.id, err: failure }, 'discord request could not be submitted');
        await api.editOriginal(i.token, plainStatus(text));
      }
    } catch (replyError) {
      logger.warn(
        { interactionId: i.id, code: failure.code, ...restErrorInfo(replyError) },
        'discord error reply failed',
      );
    }
  }
}
