// The `/avatar` modal, derived from the shared command definition (which fields exist, which are
// required, their length limits and choices) with every visible text from the message catalogue.
// A message shortcut passes the files it found; the modal then asks only for what is missing.
import type { types } from '@slack/bolt';
import { type AvatarOptionName, avatarCommand, type CommandOption } from '../../commands/avatar.js';
import type { Config } from '../../src/config.js';
import type { Mode } from '../../src/core/types.js';
import { t } from '../../src/i18n/catalog.js';
import type { MessageKey } from '../../src/i18n/en.js';
import { AUDIO_FILETYPES, IMAGE_FILETYPES } from './file-kinds.js';
import { CALLBACK, encodeMetadata, FIELD, type ModalMetadata } from './ids.js';

type Block = types.KnownBlock;

export interface ModalOptions {
  locale: string | undefined;
  config: Config;
  metadata: ModalMetadata;
  /** A global shortcut knows no channel, so the modal asks for one. */
  channelPicker: boolean;
}

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
const label = (locale: string | undefined, name: AvatarOptionName | 'channel') =>
  plain(t(locale, `slack.field.${name}.label` satisfies MessageKey));

export function avatarModal(options: ModalOptions): types.ModalView {
  const { locale, metadata } = options;
  const blocks: Block[] = [
    { type: 'section', text: { type: 'mrkdwn', text: t(locale, 'slack.modal.intro') } },
  ];
  const given = [metadata.image?.name, metadata.voice?.name].filter((n): n is string => !!n);
  if (given.length > 0) {
    blocks.push({
      type: 'context',
      elements: [
        { type: 'plain_text', text: t(locale, 'slack.modal.fromMessage', { files: given.join(', ') }) },
      ],
    });
  }
  if (options.channelPicker) blocks.push(channelBlock(locale));
  for (const option of avatarCommand.options) {
    const block = optionBlock(option.name, options);
    if (block) blocks.push(block);
  }
  // Ticking it answers the core's first-time consent question in advance.
  if (options.config.controls.consentRequired) blocks.push(consentBlock(locale));
  return {
    type: 'modal',
    callback_id: CALLBACK.modal,
    title: plain(t(locale, 'slack.modal.title').slice(0, 24)),
    submit: plain(t(locale, 'slack.modal.submit').slice(0, 24)),
    close: plain(t(locale, 'slack.modal.cancel').slice(0, 24)),
    private_metadata: encodeMetadata(metadata),
    blocks,
  };
}

function optionBlock(name: AvatarOptionName, options: ModalOptions): Block | undefined {
  const { locale, config, metadata } = options;
  const option: CommandOption | undefined = avatarCommand.options.find((o) => o.name === name);
  if (!option) return undefined;
  const optional = !option.required;
  switch (name) {
    case 'image':
      if (metadata.image) return undefined;
      return {
        type: 'input',
        block_id: FIELD.image,
        optional,
        label: label(locale, 'image'),
        hint: plain(t(locale, 'slack.field.image.hint')),
        element: {
          type: 'file_input',
          action_id: FIELD.image,
          filetypes: [...IMAGE_FILETYPES],
          max_files: 1,
        },
      };
    case 'voice':
      if (metadata.voice) return undefined;
      return {
        type: 'input',
        block_id: FIELD.voice,
        optional,
        label: label(locale, 'voice'),
        hint: plain(
          t(locale, 'slack.field.voice.hint', { min: config.audio.minSeconds, max: config.audio.maxSeconds }),
        ),
        element: {
          type: 'file_input',
          action_id: FIELD.voice,
          filetypes: [...AUDIO_FILETYPES],
          max_files: 1,
        },
      };
    case 'text':
      // Text is the alternative to a voice note; with a voice clip from the message it is moot.
      if (metadata.voice) return undefined;
      return textBlock(FIELD.text, locale, 'text', Math.min(maxLength(option), config.tts.maxChars));
    case 'prompt':
      return textBlock(
        FIELD.prompt,
        locale,
        'prompt',
        Math.min(maxLength(option), config.request.promptMaxChars),
      );
    case 'mode':
      return modeBlock(locale, config.request.defaultMode);
  }
}

function maxLength(option: CommandOption): number {
  return option.maxLength ?? 3000;
}

function textBlock(
  id: typeof FIELD.text | typeof FIELD.prompt,
  locale: string | undefined,
  name: 'text' | 'prompt',
  max: number,
): Block {
  return {
    type: 'input',
    block_id: id,
    optional: true,
    label: label(locale, name),
    hint: plain(t(locale, `slack.field.${name}.hint`)),
    element: { type: 'plain_text_input', action_id: id, multiline: true, max_length: max },
  };
}

function modeBlock(locale: string | undefined, defaultMode: Mode): Block {
  const choices = avatarCommand.options.find((o) => o.name === 'mode')?.choices ?? [];
  const options = choices.map((mode) => ({ text: plain(t(locale, `slack.mode.${mode}`)), value: mode }));
  const initial = options.find((o) => o.value === defaultMode);
  return {
    type: 'input',
    block_id: FIELD.mode,
    optional: true,
    label: label(locale, 'mode'),
    hint: plain(t(locale, 'slack.field.mode.hint')),
    element: {
      type: 'static_select',
      action_id: FIELD.mode,
      options,
      ...(initial ? { initial_option: initial } : {}),
    },
  };
}

function channelBlock(locale: string | undefined): Block {
  return {
    type: 'input',
    block_id: FIELD.channel,
    label: label(locale, 'channel'),
    hint: plain(t(locale, 'slack.field.channel.hint')),
    element: {
      type: 'conversations_select',
      action_id: FIELD.channel,
      default_to_current_conversation: true,
      filter: { include: ['public', 'private'], exclude_bot_users: true },
    },
  };
}

export const CONSENT_VALUE = 'given';

function consentBlock(locale: string | undefined): Block {
  return {
    type: 'input',
    block_id: FIELD.consent,
    optional: true,
    label: plain(t(locale, 'slack.field.consent.label')),
    element: {
      type: 'checkboxes',
      action_id: FIELD.consent,
      options: [{ text: plain(t(locale, 'slack.field.consent.option')), value: CONSENT_VALUE }],
    },
  };
}
