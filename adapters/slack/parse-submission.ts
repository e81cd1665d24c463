// Reads a submitted `/avatar` modal into a draft request and runs the checks that fit in Slack's
// 3 seconds (no download): which files are where, their declared type and size, one of voice or
// text, lengths. Problems come back per block, for `response_action: "errors"`.
import type { ViewOutput } from '@slack/bolt';
import type { Config } from '../../src/config.js';
import type { Mode } from '../../src/core/types.js';
import { type AvatarError, InputError } from '../../src/errors.js';
import { describeError, t } from '../../src/i18n/catalog.js';
import { fileKind, type SlackFileMeta, toFileMeta, usableAsVoice } from './file-kinds.js';
import { FIELD, type FieldId, type ModalMetadata } from './ids.js';
import { CONSENT_VALUE } from './modal.js';

export interface SubmissionDraft {
  channel: string;
  image: SlackFileMeta;
  voice?: SlackFileMeta;
  text?: string;
  prompt?: string;
  mode?: Mode;
  /** The consent checkbox was ticked. */
  consentGiven?: boolean;
}

export type FieldErrors = Partial<Record<FieldId, string>>;
export type ParsedSubmission = { ok: true; draft: SubmissionDraft } | { ok: false; errors: FieldErrors };

export function parseSubmission(
  view: ViewOutput,
  metadata: ModalMetadata,
  config: Config,
  locale: string | undefined,
): ParsedSubmission {
  const values = view.state.values;
  const field = (id: FieldId) => values[id]?.[id];
  const files = (id: FieldId) =>
    (field(id)?.files ?? []).map(toFileMeta).filter((f): f is SlackFileMeta => f !== undefined);
  const text = (id: FieldId) => field(id)?.value?.trim() || undefined;

  const image = metadata.image ?? files(FIELD.image)[0];
  const voice = metadata.voice ?? files(FIELD.voice)[0];
  const channel = metadata.channel ?? field(FIELD.channel)?.selected_conversation ?? undefined;
  const modeValue = field(FIELD.mode)?.selected_option?.value;
  const mode: Mode | undefined = modeValue === 'std' || modeValue === 'pro' ? modeValue : undefined;

  const errors: FieldErrors = {};
  const maxBytes = config.media.inputMaxBytes;
  const tooBig = (what: 'slack.file.photo' | 'slack.file.voice') =>
    new InputError('DOWNLOAD_TOO_BIG', 'declared size over the limit', {
      params: { what: t(locale, what), maxMb: Math.round(maxBytes / 1_000_000) },
    });
  if (!channel) errors.channel = t(locale, 'slack.error.channelMissing');
  if (!image) errors.image = describeError(locale, new InputError('IMAGE_MISSING', 'no image'));
  else if (fileKind(image) !== 'image') {
    const format = image.filetype ?? image.mimetype ?? '?';
    errors.image = describeError(
      locale,
      new InputError('IMAGE_FORMAT', 'not an image', { params: { format } }),
    );
  } else if ((image.size ?? 0) > maxBytes) errors.image = describeError(locale, tooBig('slack.file.photo'));
  if (voice && !usableAsVoice(voice)) {
    errors.voice = describeError(locale, new InputError('VOICE_UNREADABLE', 'not audio'));
  } else if (voice && (voice.size ?? 0) > maxBytes)
    errors.voice = describeError(locale, tooBig('slack.file.voice'));

  if (!image || !channel || Object.keys(errors).length > 0) {
    return { ok: false, errors: placeErrors(errors, view) };
  }
  const textValue = text(FIELD.text);
  const prompt = text(FIELD.prompt);
  const consentGiven = (field(FIELD.consent)?.selected_options ?? []).some((o) => o.value === CONSENT_VALUE);
  return {
    ok: true,
    draft: {
      channel,
      image,
      ...(voice ? { voice } : {}),
      ...(textValue ? { text: textValue } : {}),
      ...(prompt ? { prompt } : {}),
      ...(mode ? { mode } : {}),
      ...(consentGiven ? { consentGiven } : {}),
    },
  };
}

/** The block a core InputError belongs on. */
export function fieldFor(error: AvatarError): FieldId {
  const code = error.code;
  if (code === 'VOICE_OR_TEXT_MISSING') return FIELD.voice;
  if (code === 'VOICE_AND_TEXT' || code.startsWith('TEXT_')) return FIELD.text;
  if (code.startsWith('IMAGE_')) return FIELD.image;
  if (code.startsWith('VOICE_')) return FIELD.voice;
  if (code === 'PROMPT_TOO_LONG') return FIELD.prompt;
  if (code === 'MODE_INVALID') return FIELD.mode;
  return FIELD.image;
}

export function errorsFor(error: AvatarError, view: ViewOutput, locale: string | undefined): FieldErrors {
  return placeErrors({ [fieldFor(error)]: describeError(locale, error) }, view);
}

/**
 * Slack rejects errors for blocks the view does not have (a message shortcut hides the fields its
 * message already filled), so such errors move to an input that is there.
 */
function placeErrors(errors: FieldErrors, view: ViewOutput): FieldErrors {
  const present = new Set(view.blocks.map((b) => (b as { block_id?: string }).block_id));
  const fallback: FieldId[] = [FIELD.text, FIELD.voice, FIELD.image, FIELD.prompt, FIELD.mode];
  const placed: FieldErrors = {};
  for (const [id, message] of Object.entries(errors) as Array<[FieldId, string]>) {
    const target = present.has(id) ? id : (fallback.find((f) => present.has(f)) ?? id);
    placed[target] = placed[target] ? `${placed[target]} ${message}` : message;
  }
  return placed;
}
