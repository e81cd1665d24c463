// What a status message looks like: the phase text, a context line (requester, mode, job), and the
// buttons that fit the outcome ("Again in pro/std" when done, "Retry" when a retry could help).
import type { types } from '@slack/bolt';
import type { JobPhase, Mode } from '../../src/core/types.js';
import { t } from '../../src/i18n/catalog.js';
import { mention } from './address.js';
import { ACTION } from './ids.js';

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

function buttonsFor(view: StatusView): types.Button[] {
  const button = (actionId: string, key: Parameters<typeof t>[1]): types.Button => ({
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text: t(view.locale, key) },
    value: view.jobId,
  });
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
