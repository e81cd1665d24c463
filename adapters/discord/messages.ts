// The JSON bodies the adapter sends: interaction responses, the status message, the result post and
// the buttons. All user-visible text comes from the message catalogue (the modal is in form-modal.ts).
import { ButtonStyle, ComponentType, InteractionResponseType, MessageFlags } from 'discord.js';
import { avatarUsage } from '../../commands/avatar.js';
import type { JobAction, JobPhase, JobUpdate, Mode, VideoResult } from '../../src/core/types.js';
import { t } from '../../src/i18n/catalog.js';
import { actionButtonId, againButtonId, retryButtonId } from './custom-ids.js';
import type { MessageBody } from './discord-api.js';

const MAX_CONTENT = 2000;
const NO_PINGS = { parse: [] as string[] };
/** Failures that another identical attempt cannot fix: the user has to change the input. */
const NOT_RETRYABLE =
  /^(IMAGE_|VOICE_|TEXT_|PROMPT_|MODE_|DOWNLOAD_|URL_|JOB_NOT_|JOB_INPUTS_GONE|KLING_CONTENT_POLICY)/;

/** Phases whose own text no longer says the mode, length and estimate, so a summary line precedes it. */
const SUMMARISED = new Set<JobPhase>([
  'submitting',
  'submitted',
  'processing',
  'downloading',
  'delivering',
  'delivered',
  'failed',
]);

const clip = (text: string) => (text.length > MAX_CONTENT ? `${text.slice(0, MAX_CONTENT - 1)}…` : text);

export const deferred = () => ({ type: InteractionResponseType.DeferredChannelMessageWithSource });

export function ephemeral(content: string) {
  return {
    type: InteractionResponseType.ChannelMessageWithSource,
    data: { content: clip(content), flags: MessageFlags.Ephemeral, allowed_mentions: NO_PINGS },
  };
}

export function ephemeralFollowUp(content: string): MessageBody {
  return { content: clip(content), flags: MessageFlags.Ephemeral, allowed_mentions: NO_PINGS };
}

export function usageHelp(locale: string | undefined): string {
  return t(locale, 'discord.help.usage', { usage: avatarUsage() });
}

export function plainStatus(content: string): MessageBody {
  return { content: clip(content), allowed_mentions: NO_PINGS, components: [] };
}

function button(customId: string, label: string, style: ButtonStyle) {
  return { type: ComponentType.Button, custom_id: customId, label: label.slice(0, 80), style };
}

const row = (...buttons: Array<ReturnType<typeof button>>) => ({
  type: ComponentType.ActionRow,
  components: buttons,
});

/** Confirm / Cancel / consent, for a job waiting for its requester (team controls). */
function actionButtons(update: JobUpdate) {
  const cost = (update.estimatedCost ?? 0).toFixed(2);
  const look: Record<JobAction, { label: string; style: ButtonStyle }> = {
    confirm: { label: t(update.locale, 'controls.button.confirm', { cost }), style: ButtonStyle.Success },
    consent: { label: t(update.locale, 'controls.button.consent'), style: ButtonStyle.Primary },
    cancel: { label: t(update.locale, 'controls.button.cancel'), style: ButtonStyle.Secondary },
  };
  return (update.actions ?? []).map((action) =>
    button(actionButtonId(action, update.jobId), look[action].label, look[action].style),
  );
}

/** The status message: a summary line once the audio length is known, then the current phase. */
export function statusBody(update: JobUpdate, videoLink?: string): MessageBody {
  const lines: string[] = [];
  if (SUMMARISED.has(update.phase) && update.audioSeconds !== undefined) {
    lines.push(
      t(update.locale, 'job.accepted', {
        mode: update.mode,
        seconds: update.audioSeconds.toFixed(1),
        cost: (update.estimatedCost ?? 0).toFixed(2),
      }),
    );
  }
  lines.push(update.text);
  if (update.phase === 'delivered' && videoLink)
    lines.push(t(update.locale, 'discord.status.video', { link: videoLink }));
  return {
    content: clip(lines.join('\n')),
    allowed_mentions: NO_PINGS,
    components: statusComponents(update),
  };
}

function statusComponents(update: JobUpdate) {
  if (update.phase === 'failed' && !NOT_RETRYABLE.test(update.error?.code ?? '')) {
    const label = t(update.locale, 'discord.button.retry');
    return [row(button(retryButtonId(update.jobId, update.requester.id), label, ButtonStyle.Secondary))];
  }
  if (update.phase === 'awaiting_confirmation' && update.actions?.length)
    return [row(...actionButtons(update))];
  return [];
}

export function againButton(update: JobUpdate) {
  const other: Mode = update.mode === 'pro' ? 'std' : 'pro';
  const label = t(update.locale, other === 'pro' ? 'discord.button.againPro' : 'discord.button.againStd');
  return row(button(againButtonId(update.jobId, other, update.requester.id), label, ButtonStyle.Primary));
}

export const resultFileName = (jobId: string) => `avatar-${jobId}.mp4`;

/** The post that carries the video (or its link), mentioning only the requester. */
export function resultBody(
  video: VideoResult,
  update: JobUpdate,
  link?: { url: string; hours: number },
): MessageBody {
  const mention = `<@${update.requester.id}>`;
  const lines = [`${mention} ${video.caption}`];
  if (link)
    lines.push(
      t(update.locale, 'discord.result.link', {
        sizeMb: (video.bytes / 1_048_576).toFixed(1),
        hours: link.hours,
        url: link.url,
      }),
    );
  return {
    content: clip(lines.join('\n')),
    allowed_mentions: { users: [update.requester.id] },
    components: [againButton(update)],
    attachments: link
      ? []
      : [{ id: 0, filename: resultFileName(video.jobId), description: video.caption.slice(0, 1024) }],
  };
}
