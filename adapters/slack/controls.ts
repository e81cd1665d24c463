// The team controls in Slack: /avatar-settings, /avatar-usage, /avatar-status and /avatar-forget as
// slash commands (one generic route over commands/controls.ts), and the answer buttons (consent,
// confirm, cancel on a waiting job; "Delete my data" under /avatar-forget). Replies are ephemeral
// unless a handler says otherwise; refusals come back from the shared handlers as text.
import type { BlockButtonAction, App as BoltApp, types, webApi } from '@slack/bolt';
import type { CommandDefinition } from '../../commands/avatar.js';
import { handleAvatarForget } from '../../commands/avatar-forget.js';
import { handleJobAction } from '../../commands/avatar-job-actions.js';
import { type ControlCommand, controlCommands } from '../../commands/controls.js';
import type { CommandArgs, CommandReply } from '../../commands/reply.js';
import type { JobAction, Requester } from '../../src/core/types.js';
import { t } from '../../src/i18n/catalog.js';
import { slackErrorCode } from './clients.js';
import type { ListenerDeps } from './deps.js';
import { CONTROL_ACTION } from './ids.js';
import { answerButtons, escapeMrkdwn } from './status-blocks.js';

/** Answer inside the ack when the handler is this quick; otherwise ack empty and post the reply. */
const ACK_BUDGET_MS = 2_000;
const JOB_ID = /^av-[a-z2-7]{20}$/;
const ANSWERS: Record<string, JobAction | 'forget'> = {
  [CONTROL_ACTION.confirm]: 'confirm',
  [CONTROL_ACTION.cancel]: 'cancel',
  [CONTROL_ACTION.consent]: 'consent',
  [CONTROL_ACTION.forget]: 'forget',
};
const ANSWER_ACTIONS = new RegExp(`^(${Object.values(CONTROL_ACTION).join('|')})$`);

export const CONTROL_SLASH_COMMANDS = controlCommands.map((c) => `/${c.definition.name}`);

export function registerControls(bolt: BoltApp, deps: ListenerDeps): void {
  for (const command of controlCommands) registerCommand(bolt, deps, command);
  registerAnswers(bolt, deps);
}

function registerCommand(bolt: BoltApp, deps: ListenerDeps, control: ControlCommand): void {
  bolt.command(`/${control.definition.name}`, async ({ ack, command, client }) => {
    // Slack delivers a command again when the first ack was late; one answer is enough.
    if (!deps.recent.claim(`command:${command.trigger_id}`)) {
      await ack();
      return;
    }
    const work = (async () => {
      const requester = await deps.people.requester(client, command.team_id, {
        id: command.user_id,
        name: command.user_name,
      });
      const args = parseArgs(control.definition, command.text);
      const reply = await control.handle(deps.app.service, requester, args, undefined);
      return { reply, message: await replyMessage(deps, requester, reply) };
    })();
    let timer: NodeJS.Timeout | undefined;
    const quick = await Promise.race([
      work.then(
        (done) => ({ done }),
        (error: unknown) => ({ error }),
      ),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ACK_BUDGET_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    if (quick && 'done' in quick) {
      const { reply, message } = quick.done;
      await ack({ response_type: reply.private ? 'ephemeral' : 'in_channel', ...message });
      return;
    }
    await ack();
    try {
      const { reply, message } = await work;
      if (reply.private) {
        await client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, ...message });
      } else {
        await client.chat.postMessage({ channel: command.channel_id, ...message });
      }
    } catch (error) {
      deps.logger.warn(
        { command: control.definition.name, code: slackErrorCode(error), err: error },
        'slack control command failed',
      );
      await client.chat
        .postEphemeral({
          channel: command.channel_id,
          user: command.user_id,
          text: t(await localeOf(deps, command.user_id, command.team_id), 'error.INTERNAL'),
        })
        .catch(() => undefined);
    }
  });
}

/**
 * The command text as the definition's options, in order, separated by spaces; the last option takes
 * the rest, and a choice option is skipped when the word is not one of its choices (so
 * `/avatar-settings mode pro` reads as name and value). `name=value` words set an option by name.
 * Slack's escaped mentions (<@U123|ada>, <#C1|x>) become bare ids, which is what the settings store,
 * and lists keep together across spaces after commas.
 */
export function parseArgs(definition: CommandDefinition, text: string): CommandArgs {
  const words = text
    .replace(/<[@#!]([A-Z0-9]+)(?:\|[^>]*)?>/gi, '$1')
    .replace(/\s*,\s*/g, ',')
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  const names = definition.options.map((o) => o.name);
  const args: Record<string, string> = {};
  const positional: string[] = [];
  for (const word of words) {
    const named = /^([\w-]+)=(.*)$/.exec(word);
    if (named?.[1] && names.includes(named[1]) && !(named[1] in args)) args[named[1]] = named[2] ?? '';
    else positional.push(word);
  }
  const free = definition.options.filter((o) => !(o.name in args));
  for (const [i, option] of free.entries()) {
    const word = positional[0];
    if (word === undefined) break;
    if (option.choices && !option.choices.includes(word.toLowerCase())) continue;
    if (i === free.length - 1) args[option.name] = positional.splice(0).join(' ');
    else args[option.name] = positional.shift() ?? '';
  }
  return args;
}

async function replyMessage(
  deps: ListenerDeps,
  requester: Requester,
  reply: CommandReply,
): Promise<{ text: string; blocks: types.KnownBlock[] }> {
  const text = escapeMrkdwn(reply.text);
  const blocks: types.KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text } }];
  const buttons = await replyButtons(deps, requester, reply);
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  return { text, blocks };
}

async function replyButtons(
  deps: ListenerDeps,
  requester: Requester,
  reply: CommandReply,
): Promise<types.Button[]> {
  const buttons: types.Button[] = [];
  if (!reply.actions?.length) return buttons;
  const locale = await deps.app.service.localeFor(requester, undefined);
  const byJob = new Map<string, JobAction[]>();
  for (const action of reply.actions) {
    if (action.action === 'forget') {
      buttons.push({
        type: 'button',
        action_id: CONTROL_ACTION.forget,
        text: { type: 'plain_text', text: t(locale, 'slack.button.forget') },
        value: 'forget',
        style: 'danger',
      });
    } else byJob.set(action.jobId, [...(byJob.get(action.jobId) ?? []), action.action]);
  }
  for (const [jobId, actions] of byJob) {
    const job = await deps.app.service.getJob(jobId);
    buttons.push(...answerButtons(locale, jobId, actions, job?.estimatedCost));
  }
  return buttons;
}

function registerAnswers(bolt: BoltApp, deps: ListenerDeps): void {
  bolt.action<BlockButtonAction>(ANSWER_ACTIONS, async ({ ack, body, action, client, context }) => {
    await ack();
    const answer = ANSWERS[action.action_id];
    const jobId = action.value ?? '';
    const channel = body.channel?.id ?? body.container?.channel_id;
    if (!answer || typeof channel !== 'string' || (answer !== 'forget' && !JOB_ID.test(jobId))) return;
    const key = `slack:action:${context.teamId ?? ''}:${action.action_ts}`;
    const user = body.user as { id: string; username?: string; name?: string };
    if (!deps.recent.claim(key) || !deps.clicks.claim(`${jobId}:${action.action_id}:${user.id}`)) return;
    try {
      const requester = await deps.people.requester(client, context.teamId ?? body.team?.id, user);
      const reply =
        answer === 'forget'
          ? await handleAvatarForget(deps.app.service, requester, { confirm: 'yes' }, undefined)
          : await handleJobAction(deps.app.service, requester, { action: answer, job: jobId }, undefined);
      if (reply.error) {
        deps.logger.info({ jobId, user: user.id, code: reply.error }, 'slack answer refused');
      }
      // Done or refused, the clicker alone hears about it; the status message shows the new state.
      await privately(client, channel, user.id, reply.text);
    } catch (error) {
      deps.logger.warn({ jobId, code: slackErrorCode(error), err: error }, 'slack answer failed');
      const locale = await localeOf(deps, user.id, context.teamId);
      await privately(client, channel, user.id, t(locale, 'error.INTERNAL')).catch(() => undefined);
    }
  });
}

async function privately(client: webApi.WebClient, channel: string, user: string, text: string) {
  const escaped = escapeMrkdwn(text);
  await client.chat.postEphemeral({
    channel,
    user,
    text: escaped,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: escaped } }],
  });
}

/** The team's reply language (Slack sends no user locale), or the default when even that fails. */
function localeOf(deps: ListenerDeps, user: string, team: string | undefined): Promise<string | undefined> {
  return deps.app.service
    .localeFor({ id: user, displayName: user, ...(team ? { tenantId: team } : {}) }, undefined)
    .catch(() => undefined);
}
