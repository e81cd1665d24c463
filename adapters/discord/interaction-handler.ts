// Routes one interaction: answers within Discord's 3-second window from what the payload alone says
// (an ephemeral error, a modal, or a public defer), then leaves the slow part to a tracked background
// task. Shared by gateway and HTTP mode; only the way the first answer is sent differs.
import { ApplicationCommandType, InteractionResponseType } from 'discord.js';
import { avatarCommand, avatarUsage } from '../../commands/avatar.js';
import type { Config } from '../../src/config.js';
import type { AvatarRequest } from '../../src/core/types.js';
import { InputError } from '../../src/errors.js';
import { describeError, t } from '../../src/i18n/catalog.js';
import type { KeyValueNamespace } from '../../src/jobs/job-store.js';
import { buildAddress } from './address.js';
import { type AttachmentPolicy, checkAttachment } from './attachments.js';
import { BackgroundQueue } from './background-queue.js';
import { parseButtonId, parseFormModalId } from './custom-ids.js';
import { restErrorInfo, sanitize } from './discord-api.js';
import { formModal } from './form-modal.js';
import { FormStore } from './form-store.js';
import { idempotencyKeyOf, JobStarter, type StarterDeps } from './job-starter.js';
import { deferred, ephemeral, usageHelp } from './messages.js';
import {
  buildRequest,
  draftFromModal,
  draftFromSlash,
  localeOf,
  mediaOfMessage,
  type RequestDraft,
  requesterOf,
} from './parse.js';
import {
  commandDataSchema,
  componentDataSchema,
  type Interaction,
  InteractionKind,
  modalDataSchema,
  parseInteraction,
} from './payload.js';
import { TtlMap } from './ttl-map.js';

/** Sends the initial interaction response (HTTP body in HTTP mode, the callback route in gateway mode). */
export type Respond = (response: object) => Promise<void>;

export interface HandlerDeps extends StarterDeps {
  config: Config;
  policy: AttachmentPolicy;
  /** Shared key/value space for pending forms (the core's store), so any instance can finish one. */
  formStore?: KeyValueNamespace;
}

const SEEN_TTL_MS = 15 * 60_000;

export class InteractionHandler {
  private readonly starter: JobStarter;
  private readonly forms: FormStore;
  private readonly seen = new TtlMap<true>(SEEN_TTL_MS, 50_000);
  private readonly queue: BackgroundQueue;

  constructor(private readonly deps: HandlerDeps) {
    this.starter = new JobStarter(deps);
    this.forms = new FormStore(deps.formStore, deps.logger);
    this.queue = new BackgroundQueue((error) =>
      deps.logger.error({ err: sanitize(error) }, 'discord background task failed'),
    );
  }

  /** Resolves once the first response is out; returns false for a payload that is not an interaction. */
  async handle(json: unknown, respond: Respond): Promise<boolean> {
    this.queue.noteArrival();
    // PING is answered before the full schema check: Discord validates the endpoint with it, and a
    // stricter-than-needed parse must never make that validation fail.
    if ((json as { type?: unknown } | null)?.type === InteractionKind.Ping) {
      await respond({ type: InteractionResponseType.Pong });
      return true;
    }
    const i = parseInteraction(json);
    if (!i) return false;
    // A redelivered interaction (a retry after a timeout, a replayed request) gets the same
    // acknowledgement and nothing more; the core would also collapse it by its idempotency key.
    if (this.seen.seen(i.id, true)) {
      await respond(deferred());
      return true;
    }
    if (i.type === InteractionKind.Command) await this.command(i, respond);
    else if (i.type === InteractionKind.Component) await this.button(i, respond);
    else if (i.type === InteractionKind.ModalSubmit) await this.modal(i, respond);
    else if (i.type === InteractionKind.Autocomplete)
      await respond({
        type: InteractionResponseType.ApplicationCommandAutocompleteResult,
        data: { choices: [] },
      });
    else await respond(ephemeral(usageHelp(localeOf(i))));
    return true;
  }

  /** Resolves when every background task started so far has finished. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async command(i: Interaction, respond: Respond): Promise<void> {
    const data = commandDataSchema.safeParse(i.data);
    if (!data.success) return respond(ephemeral(usageHelp(localeOf(i))));
    if (data.data.type === ApplicationCommandType.ChatInput && data.data.name === avatarCommand.name)
      return this.startNew(i, draftFromSlash(data.data), respond);
    if (data.data.type === ApplicationCommandType.Message) {
      const target = data.data.resolved?.messages?.[data.data.target_id ?? ''];
      return this.fromMessage(i, target ? mediaOfMessage(target) : {}, respond);
    }
    return respond(ephemeral(usageHelp(localeOf(i))));
  }

  /** Message command: go straight to a job when both pieces are there, else ask for the missing one. */
  private async fromMessage(i: Interaction, media: RequestDraft, respond: Respond): Promise<void> {
    const locale = localeOf(i);
    if (media.image && media.voice) return this.startNew(i, media, respond);
    const have = media.voice ?? media.image;
    if (!have) return respond(ephemeral(t(locale, 'discord.help.noMedia', { usage: avatarUsage() })));
    try {
      checkAttachment(have, media.voice ? 'voice' : 'image', this.deps.policy, locale);
    } catch (error) {
      if (error instanceof InputError) return respond(ephemeral(describeError(locale, error)));
      throw error;
    }
    this.forms.put(i.id, { userId: requesterOf(i).id, ...media });
    const modal = formModal(
      i.id,
      media.voice ? 'image' : 'voice',
      locale,
      this.deps.config.request.defaultMode,
    );
    try {
      await respond(modal);
    } catch (error) {
      // Discord refused the modal (a client or API without file uploads): explain /avatar instead.
      this.deps.logger.warn({ interactionId: i.id, ...restErrorInfo(error) }, 'discord modal refused');
      await respond(ephemeral(usageHelp(locale)));
    }
  }

  private async modal(i: Interaction, respond: Respond): Promise<void> {
    const data = modalDataSchema.safeParse(i.data);
    const formKey = data.success ? parseFormModalId(data.data.custom_id) : undefined;
    const form = formKey ? await this.forms.get(formKey) : undefined;
    if (!data.success || !form || form.userId !== requesterOf(i).id)
      return respond(ephemeral(t(localeOf(i), 'discord.modal.expired')));
    return this.startNew(i, draftFromModal(data.data, form), respond);
  }

  private async button(i: Interaction, respond: Respond): Promise<void> {
    const locale = localeOf(i);
    const data = componentDataSchema.safeParse(i.data);
    const action = data.success ? parseButtonId(data.data.custom_id) : undefined;
    if (!action) return respond(ephemeral(t(locale, 'discord.button.stale', { usage: avatarUsage() })));
    if (action.kind === 'act') {
      // Acknowledge without a new message: the status message itself changes once the core acts.
      await respond({ type: InteractionResponseType.DeferredMessageUpdate });
      return this.background(i, () => this.starter.act(i, action.action, action.jobId));
    }
    // The owner id rides in the custom_id, so a stranger is refused without touching the store.
    if (action.ownerId !== requesterOf(i).id) return respond(ephemeral(t(locale, 'error.JOB_NOT_YOURS')));
    await respond(deferred());
    this.background(i, () =>
      this.starter.rerun(i, action.jobId, action.kind === 'again' ? action.mode : undefined),
    );
  }

  /** Checks the request's shape first, so a fixable mistake gets a private answer instead of a defer. */
  private async startNew(i: Interaction, draft: RequestDraft, respond: Respond): Promise<void> {
    let request: AvatarRequest;
    try {
      request = buildRequest(draft, {
        interaction: i,
        idempotencyKey: idempotencyKeyOf(i),
        address: buildAddress(i, ''),
        policy: this.deps.policy,
        config: this.deps.config,
      });
    } catch (error) {
      if (error instanceof InputError) return respond(ephemeral(describeError(localeOf(i), error)));
      throw error;
    }
    await respond(deferred());
    this.background(i, () => this.starter.submit(i, request));
  }

  private background(i: Interaction, work: () => Promise<void>): void {
    this.queue.add(async () => {
      try {
        await work();
      } catch (error) {
        this.deps.logger.error(
          { interactionId: i.id, err: sanitize(error) },
          'discord background task failed',
        );
      }
    });
  }
}
