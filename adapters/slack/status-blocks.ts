// What a status message looks like: the phase text, a context line (requester, mode, job), and the
// buttons that fit the outcome ("Again in pro/std" when done, "Retry" when a retry could help, and
// the answers the core asks for while a job waits: consent, confirm the price, cancel).
import type { types } from '@slack/bolt';
import type { JobAction, JobPhase, Mode } from '../../src/core/types.js';
import { t } from '../../src/i18n/catalog.js';
import { mention } from './address.js';
import { ACTION, CONTROL_ACTION } from './ids.js';

export const BUTTONS_BLOCK = 'avatar_buttons';

/** Failures a re-run of the same saved inputs cannot fix (bad input, or inputs never saved). */
const NOT_RETRYABLE = /^(IMAGE_|VOICE_|TEXT_|PROMPT_|MODE_|URL_NOT_ALLOWED|DOWNLOAD_|KLING_CONTENT_POLICY)/;

export interface StatusView {
  /** Already mrkdwn: core texts must go through escapeMrkdwn first. */
  text: string;
  locale: string | undefined;
  user: string;
  mode: Mode;
  jobId: string;
  phase: JobPhase;
  errorCode?: string;
  /** While 'awaiting_confirmation': the answers the core offers. */
  actions?: readonly JobAction[];
  /** For the confirm button's label. */
  estimatedCost?: number;
}

export interface StatusMessage {
  text: string;
  blocks: types.KnownBlock[];
}

/** Slack's three control characters in mrkdwn; everything else is shown as written. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function statusMessage(view: StatusView): StatusMessage {
  const blocks: types.KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: view.text } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: t(view.locale, 'slack.status.context', {
            user: mention(view.user),
            mode: view.mode,
            jobId: view.jobId,
          }),
        },
      ],
    },
  ];
  const buttons = buttonsFor(view);
  if (buttons.length > 0) blocks.push({ type: 'actions', block_id: BUTTONS_BLOCK, elements: buttons });
  return { text: view.text, blocks };
}

/** One button per answer, in the order consent, confirm, cancel; value is the job id. */
export function answerButtons(
  locale: string | undefined,
  jobId: string,
  actions: readonly JobAction[],
  estimatedCost?: number,
): types.Button[] {
  const cost = estimatedCost === undefined ? '?' : estimatedCost.toFixed(2);
  const order: JobAction[] = ['consent', 'confirm', 'cancel'];
  return order
    .filter((a) => actions.includes(a))
    .map((a) => ({
      type: 'button',
      action_id: CONTROL_ACTION[a],
      text: { type: 'plain_text', text: t(locale, `controls.button.${a}`, { cost }).slice(0, 75) },
      value: jobId,
      ...(a === 'cancel' ? {} : { style: 'primary' as const }),
    }));
}

function buttonsFor(view: StatusView): types.Button[] {
  const button = (actionId: string, key: Parameters<typeof t>[1]): types.Button => ({
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text: t(view.locale, key) },
    value: view.jobId,
  });
  if (view.phase === 'awaiting_confirmation' && view.actions?.length) {
    return answerButtons(view.locale, view.jobId, view.actions, view.estimatedCost);
  }
  if (view.phase === 'delivered') {
    return [
      button(ACTION.againPro, 'slack.button.againPro'),
      button(ACTION.againStd, 'slack.button.againStd'),
    ];
  }
  if (view.phase === 'failed' && !NOT_RETRYABLE.test(view.errorCode ?? '')) {
    return [button(ACTION.retry, 'slack.button.retry')];
  }
  return [];
}
