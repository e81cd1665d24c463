// The modal's submit: cheap checks answered inside Slack's 3 seconds as field errors (the modal stays
// open), then the modal closes and the job starts. A retried submission (same view.id) starts nothing.
import type { App as BoltApp, ViewOutput } from '@slack/bolt';
import type { AvatarRequest } from '../../src/core/types.js';
import { validateRequest } from '../../src/core/validate-request.js';
import { InputError } from '../../src/errors.js';
import { t } from '../../src/i18n/catalog.js';
import { SLACK_ADAPTER, type WorkspaceRef } from './address.js';
import { type ListenerDeps, SLACK_LOCALE, workspaceOf } from './deps.js';
import { CALLBACK, decodeMetadata, FIELD } from './ids.js';
import { errorsFor, parseSubmission, type SubmissionDraft } from './parse-submission.js';
import { startJob } from './start-job.js';

export function registerSubmission(bolt: BoltApp, deps: ListenerDeps): void {
  bolt.view(CALLBACK.modal, async ({ ack, body, view, client, context }) => {
    const locale = SLACK_LOCALE;
    const metadata = decodeMetadata(view.private_metadata);
    if (!metadata) {
      deps.logger.warn({ viewId: view.id }, 'slack modal metadata unreadable');
      await ack({ response_action: 'errors', errors: { [FIELD.prompt]: t(locale, 'error.INTERNAL') } });
      return;
    }
    const parsed = parseSubmission(view, metadata, deps.app.config, locale);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    const workspace = workspaceOf(context);
    const user = body.user as { id: string; username?: string; name?: string };
    const request = draftToRequest(deps, parsed.draft, view, workspace, user);
    try {
      validateRequest(request, deps.app.config);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      await ack({ response_action: 'errors', errors: errorsFor(error, view, locale) });
      return;
    }
    await ack();
    // Admin rights matter for access rules; asked after the ack, which Slack wants within 3 seconds.
    const requester = await deps.people.requester(client, workspace.team, user);
    await startJob(
      deps,
      client,
      { ...request, requester },
      { workspace, channel: parsed.draft.channel, user: user.id },
    );
  });
}

/** The request with a placeholder reply address; startJob fills it in once the status message exists. */
function draftToRequest(
  deps: ListenerDeps,
  draft: SubmissionDraft,
  view: ViewOutput,
  workspace: WorkspaceRef,
  user: { id: string; username?: string; name?: string },
): AvatarRequest {
  const locale = SLACK_LOCALE;
  return {
    // view.id is stable across Slack's retries of one submission and unique per opened modal.
    idempotencyKey: `slack:view:${view.id}`,
    requester: {
      id: user.id,
      displayName: user.username ?? user.name ?? user.id,
      ...(workspace.team ? { tenantId: workspace.team } : {}),
    },
    replyTo: { adapter: SLACK_ADAPTER, address: {} },
    image: deps.files.ref(draft.image, 'photo', workspace, locale),
    ...(draft.voice ? { voice: deps.files.ref(draft.voice, 'voice', workspace, locale) } : {}),
    ...(draft.text ? { text: draft.text } : {}),
    ...(draft.prompt ? { prompt: draft.prompt } : {}),
    ...(draft.mode ? { mode: draft.mode } : {}),
    channelId: draft.channel,
    ...(draft.consentGiven ? { consentGiven: true } : {}),
    raw: { viewId: view.id, team: workspace.team },
  };
}
