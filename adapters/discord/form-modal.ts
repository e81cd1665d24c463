// The modal a "Make talking avatar" message command opens to ask for what the target message lacks:
// a File Upload (component 19 inside a Label, 18) for the photo, or for a voice note with a text
// alternative, plus the optional prompt and mode. Limits come from the shared /avatar definition.
import { ComponentType, InteractionResponseType, TextInputStyle } from 'discord.js';
import { avatarCommand, type CommandOption } from '../../commands/avatar.js';
import type { Mode } from '../../src/core/types.js';
import { t } from '../../src/i18n/catalog.js';
import type { MessageKey } from '../../src/i18n/en.js';
import { formModalId } from './custom-ids.js';

const maxLengthOf = (name: string, fallback: number): number => {
  const option: CommandOption | undefined = avatarCommand.options.find((o) => o.name === name);
  return option?.maxLength ?? fallback;
};

/** The modal a message command opens to ask for the piece its target message lacks. */
export function formModal(
  interactionId: string,
  need: 'image' | 'voice',
  locale: string | undefined,
  defaultMode: Mode,
) {
  const label = (key: MessageKey, hint: MessageKey | undefined, component: object) => ({
    type: ComponentType.Label,
    label: t(locale, key).slice(0, 45),
    ...(hint ? { description: t(locale, hint).slice(0, 100) } : {}),
    component,
  });
  const upload = (customId: string, fileType: string, required: boolean) => ({
    type: ComponentType.FileUpload,
    custom_id: customId,
    min_values: required ? 1 : 0,
    max_values: 1,
    required,
    file_types: [fileType],
  });
  const textInput = (customId: string, maxLength: number) => ({
    type: ComponentType.TextInput,
    custom_id: customId,
    style: TextInputStyle.Paragraph,
    required: false,
    max_length: maxLength,
  });
  const fields =
    need === 'image'
      ? [label('discord.modal.image', 'discord.modal.imageHint', upload('image', 'image', true))]
      : [
          label('discord.modal.voice', 'discord.modal.voiceHint', upload('voice', 'audio', false)),
          label('discord.modal.text', 'discord.modal.textHint', textInput('text', maxLengthOf('text', 1000))),
        ];
  fields.push(
    label(
      'discord.modal.prompt',
      'discord.modal.promptHint',
      textInput('prompt', maxLengthOf('prompt', 2500)),
    ),
    label('discord.modal.mode', undefined, {
      type: ComponentType.StringSelect,
      custom_id: 'mode',
      required: false,
      min_values: 1,
      max_values: 1,
      options: (['std', 'pro'] as const).map((mode) => ({
        value: mode,
        label: t(locale, mode === 'std' ? 'discord.modal.modeStd' : 'discord.modal.modePro'),
        default: mode === defaultMode,
      })),
    }),
  );
  return {
    type: InteractionResponseType.Modal,
    data: {
      custom_id: formModalId(interactionId),
      title: t(locale, need === 'image' ? 'discord.modal.titleImage' : 'discord.modal.titleVoice').slice(
        0,
        45,
      ),
      components: fields,
    },
  };
}
