// Starts a job for an accepted submission: posts the status message first (its ts anchors the thread
// and goes into the job's durable reply address), then hands the request to the core. Failures are
// shown in that message or, when the bot cannot post in the channel, in a DM to the requester. A team
// control's refusal (a limit, an access rule) is the requester's business: the status message goes
// and the requester alone is told which rule, its value and when it resets.
import type { webApi } from '@slack/bolt';
import type { AvatarRequest } from '../../src/core/types.js';
import { asAvatarError } from '../../src/errors.js';
import { describeError, t } from '../../src/i18n/catalog.js';
import { jobIdFor } from '../../src/util/ids.js';
import { mention, toReplyTarget, type WorkspaceRef } from './address.js';
import { slackErrorCode } from './clients.js';
import type { ListenerDeps } from './deps.js';
import { escapeMrkdwn, statusMessage } from './status-blocks.js';

export interface StartTarget {
  workspace: WorkspaceRef;
  channel: string;
  user: string;
}

export async function startJob(
  deps: ListenerDeps,
  client: webApi.WebClient,
  request: AvatarRequest,
  target: StartTarget,
): Promise<void> {
  const { service, config } = deps.app;
  const key = request.idempotencyKey;
  const jobId = jobIdFor(key);
  // Retries of one submission: in this process the claim catches them, across processes the store.
  if (!deps.recent.claim(key) || (await service.getJob(jobId))) {
    deps.logger.info({ jobId }, 'slack retry of a known submission ignored');
    return;
  }
  const locale = request.locale ?? (await service.localeFor(request.requester));
  const mode = request.mode ?? config.request.defaultMode;
  const first = statusMessage({
    text: t(locale, 'slack.status.received', { user: mention(target.user) }),
    locale,
    user: target.user,
    mode,
    jobId,
    phase: 'accepted',
  });
  let ts: string;
  try {
    const posted = await client.chat.postMessage({ channel: target.channel, ...first });
    if (!posted.ts) throw new Error('chat.postMessage returned no ts');
    ts = posted.ts;
  } catch (error) {
    deps.recent.release(key);
    deps.logger.warn(
      { jobId, code: slackErrorCode(error), err: error },
      'slack status message could not be posted',
    );
    await client.chat
      .postMessage({
        channel: target.user,
        text: t(locale, 'slack.error.cannotPost', { channel: target.channel }),
      })
      .catch((dmError: unknown) =>
        deps.logger.warn({ jobId, err: dmError }, 'slack direct message failed too'),
      );
    return;
  }
  const replyTo = toReplyTarget({
    ...target.workspace,
    channel: target.channel,
    ts,
    job: jobId,
    user: target.user,
  });
  try {
    const result = await service.submit({ ...request, replyTo });
    if (result.duplicate) await setText(client, target.channel, ts, t(locale, 'job.duplicate', { jobId }));
  } catch (error) {
    const avatarError = asAvatarError(error);
    deps.logger.warn({ jobId, code: avatarError.code, err: error }, 'slack request refused by the core');
    if (PRIVATE_REFUSAL.test(avatarError.code)) {
      await refusePrivately(deps, client, target, ts, describeError(locale, avatarError));
      return;
    }
    await setText(client, target.channel, ts, escapeMrkdwn(describeError(locale, avatarError))).catch(
      (updateError: unknown) => deps.logger.warn({ jobId, err: updateError }, 'slack status update failed'),
    );
  }
}

/** Refusals by the team controls, before any job exists. */
const PRIVATE_REFUSAL = /^(LIMIT_|ACCESS_)/;

async function refusePrivately(
  deps: ListenerDeps,
  client: webApi.WebClient,
  target: StartTarget,
  ts: string,
  text: string,
): Promise<void> {
  const escaped = escapeMrkdwn(text);
  await client.chat
    .delete({ channel: target.channel, ts })
    .catch((error: unknown) =>
      deps.logger.warn({ code: slackErrorCode(error) }, 'slack status message could not be deleted'),
    );
  await client.chat
    .postEphemeral({ channel: target.channel, user: target.user, text: escaped })
    .catch(() => client.chat.postMessage({ channel: target.user, text: escaped }))
    .catch((error: unknown) => deps.logger.warn({ err: error }, 'slack refusal could not be sent'));
}

async function setText(client: webApi.WebClient, channel: string, ts: string, text: string): Promise<void> {
  await client.chat.update({
    channel,
    ts,
    text,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  });
}
