// The status message's buttons: "Again in pro", "Again in std" and "Retry" start a new job from the
// saved inputs of the one they belong to, in the same thread. Only the requester may use them (a re-run
// spends the requester's budget); anyone else gets a private note and nothing happens. The answers to a
// waiting job (confirm, cancel, consent) are in controls.ts.
import type { BlockButtonAction, App as BoltApp, webApi } from '@slack/bolt';
import type { Mode } from '../../src/core/types.js';
import { type AvatarError, asAvatarError, InputError } from '../../src/errors.js';
import { describeError, t } from '../../src/i18n/catalog.js';
import type { Job } from '../../src/jobs/job.js';
import { jobIdFor } from '../../src/util/ids.js';
import { fromReplyTarget, mention } from './address.js';
import { type ListenerDeps, SLACK_LOCALE } from './deps.js';
import { ACTION } from './ids.js';
import { escapeMrkdwn, statusMessage } from './status-blocks.js';

const JOB_ID = /^av-[a-z2-7]{20}$/;
const MODE_BY_ACTION: Record<string, Mode | undefined> = {
  [ACTION.againPro]: 'pro',
  [ACTION.againStd]: 'std',
  [ACTION.retry]: undefined,
};
const BUTTON_ACTIONS = new RegExp(`^(${Object.values(ACTION).join('|')})$`);

export function registerButtons(bolt: BoltApp, deps: ListenerDeps): void {
  bolt.action<BlockButtonAction>(BUTTON_ACTIONS, async ({ ack, body, action, client, context }) => {
    await ack();
    const sourceJobId = action.value ?? '';
    const user = body.user.id;
    const channel = body.channel?.id ?? body.container?.channel_id;
    if (!JOB_ID.test(sourceJobId) || typeof channel !== 'string') return;
    // action_ts is unique per click and repeated in Slack's retries of that click.
    const key = `slack:action:${context.teamId ?? ''}:${action.action_ts}`;
    if (!deps.recent.claim(key) || !deps.clicks.claim(`${sourceJobId}:${action.action_id}:${user}`)) return;
    const privately = async (error: AvatarError) => {
      await client.chat.postEphemeral({ channel, user, text: describeError(SLACK_LOCALE, error) });
    };
    try {
      const source = await deps.app.service.getJob(sourceJobId);
      if (!source) {
        await privately(new InputError('JOB_NOT_FOUND', 'no such job'));
        return;
      }
      if (source.requester.id !== user) {
        deps.logger.info({ jobId: sourceJobId, user }, 'slack button refused: not the requester');
        await privately(new InputError('JOB_NOT_YOURS', 'not the requester'));
        return;
      }
      await rerun(deps, client, source, { key, user, mode: MODE_BY_ACTION[action.action_id] ?? source.mode });
    } catch (error) {
      deps.logger.warn({ jobId: sourceJobId, err: error }, 'slack button failed');
      // A known failure (the store being down, say) keeps its own message; anything else is generic.
      const known = asAvatarError(error);
      await privately(known.code === 'INTERNAL' ? new InputError('INTERNAL', 'button failed') : known).catch(
        () => undefined,
      );
    }
  });
}

async function rerun(
  deps: ListenerDeps,
  client: webApi.WebClient,
  source: Job,
  input: { key: string; user: string; mode: Mode },
): Promise<void> {
  const address = fromReplyTarget(source.replyTo);
  const jobId = jobIdFor(input.key);
  // The reply exists before the job does, so the core's first update edits it instead of posting another.
  const reply = await deps.board.startReply(jobId, async () => {
    const first = statusMessage({
      text: t(source.locale, 'slack.status.rerun', { mode: input.mode, user: mention(input.user) }),
      locale: source.locale,
      user: input.user,
      mode: input.mode,
      jobId,
      phase: 'accepted',
    });
    const posted = await client.chat.postMessage({
      channel: address.channel,
      thread_ts: address.ts,
      ...first,
    });
    if (!posted.ts) throw new Error('chat.postMessage returned no ts');
    return posted.ts;
  });
  try {
    await deps.app.service.rerun(source.id, {
      idempotencyKey: input.key,
      requesterId: input.user,
      mode: input.mode,
    });
    deps.logger.info({ jobId, sourceJobId: source.id, mode: input.mode }, 'slack re-run started');
  } catch (error) {
    const text = escapeMrkdwn(describeError(source.locale, asAvatarError(error)));
    await client.chat.update({
      channel: address.channel,
      ts: reply,
      text,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
    });
    if (!(error instanceof InputError)) throw error;
  }
}
