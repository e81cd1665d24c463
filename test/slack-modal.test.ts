// The `/avatar` modal and its submission: fields derived from the command definition, the message
// shortcut asking only for what is missing, and the checks that become field errors within 3 s.
import { readFile } from 'node:fs/promises';
import type { ViewOutput } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { fileKind, pickMessageFiles, toFileMeta, usableAsVoice } from '../adapters/slack/file-kinds.js';
import {
  BOT_SCOPES,
  CALLBACK,
  decodeMetadata,
  encodeMetadata,
  SLASH_COMMAND,
} from '../adapters/slack/ids.js';
import { avatarModal } from '../adapters/slack/modal.js';
import { errorsFor, parseSubmission } from '../adapters/slack/parse-submission.js';
import { avatarCommand } from '../commands/avatar.js';
import { loadConfig } from '../src/config.js';
import { InputError } from '../src/errors.js';
import { en } from '../src/i18n/en.js';
import { channelValue, fileValue, modeValue, textValue } from './fakes/fake-slack-requests.js';

const config = loadConfig({});
const face = {
  id: 'F1',
  name: 'face.jpg',
  mimetype: 'image/jpeg',
  filetype: 'jpg',
  size: 20_000,
  url: 'https://files.slack.com/files-pri/T1-F1/face.jpg',
};
const clip = {
  id: 'F2',
  name: 'audio_message.webm',
  mimetype: 'audio/webm',
  filetype: 'webm',
  size: 9_000,
  subtype: 'slack_audio',
};

type Block = {
  type: string;
  block_id?: string;
  element?: Record<string, unknown>;
  optional?: boolean;
  label?: { text: string };
};
const blocksOf = (view: { blocks: unknown[] }) => view.blocks as Block[];
const inputIds = (view: { blocks: unknown[] }) =>
  blocksOf(view)
    .filter((b) => b.type === 'input')
    .map((b) => b.block_id);

function submitted(view: ReturnType<typeof avatarModal>, values: Record<string, unknown>): ViewOutput {
  return { ...view, id: 'V1', state: { values }, hash: 'h' } as unknown as ViewOutput;
}

describe('avatarModal', () => {
  it('has one input per command option, in order, with catalogue labels and the command limits', () => {
    const view = avatarModal({ locale: 'en', config, metadata: { channel: 'C1' }, channelPicker: false });
    // The consent checkbox comes last while CONSENT_REQUIRED is on (the default).
    expect(inputIds(view)).toEqual([...avatarCommand.options.map((o) => o.name), 'consent']);
    const byId = new Map(blocksOf(view).map((b) => [b.block_id, b]));
    expect(byId.get('image')?.label?.text).toBe(en['slack.field.image.label']);
    expect(byId.get('image')?.optional).toBe(false);
    expect(byId.get('image')?.element).toMatchObject({
      type: 'file_input',
      max_files: 1,
      filetypes: expect.arrayContaining(['jpg', 'png']),
    });
    expect(byId.get('voice')?.element).toMatchObject({
      type: 'file_input',
      filetypes: expect.arrayContaining(['m4a', 'webm']),
    });
    expect(byId.get('text')?.element).toMatchObject({ type: 'plain_text_input', max_length: 1000 });
    expect(byId.get('prompt')?.element).toMatchObject({ max_length: 2500 });
    expect(byId.get('mode')?.element).toMatchObject({
      type: 'static_select',
      initial_option: { value: 'std' },
    });
    expect(byId.get('consent')).toMatchObject({
      optional: true,
      label: { text: en['slack.field.consent.label'] },
    });
    expect(byId.get('consent')?.element).toMatchObject({
      type: 'checkboxes',
      options: [{ text: { text: en['slack.field.consent.option'] }, value: 'given' }],
    });
    const noConsent = avatarModal({
      locale: 'en',
      config: loadConfig({ CONSENT_REQUIRED: 'false' }),
      metadata: { channel: 'C1' },
      channelPicker: false,
    });
    expect(inputIds(noConsent)).not.toContain('consent');
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(decodeMetadata(view.private_metadata)).toEqual({ channel: 'C1' });
  });

  it('adds a channel picker for the global shortcut', () => {
    const view = avatarModal({ locale: 'en', config, metadata: {}, channelPicker: true });
    expect(inputIds(view)[0]).toBe('channel');
    expect(blocksOf(view)[1]?.element).toMatchObject({ type: 'conversations_select' });
  });

  it('asks only for what a message shortcut did not find', () => {
    const onlyClip = avatarModal({
      locale: 'en',
      config,
      metadata: { channel: 'C1', voice: clip },
      channelPicker: false,
    });
    expect(inputIds(onlyClip)).toEqual(['image', 'prompt', 'mode', 'consent']);
    const both = avatarModal({
      locale: 'en',
      config,
      metadata: { channel: 'C1', image: face, voice: clip },
      channelPicker: false,
    });
    expect(inputIds(both)).toEqual(['prompt', 'mode', 'consent']);
    expect(JSON.stringify(both.blocks)).toContain('face.jpg, audio_message.webm');
  });
});

describe('modal metadata', () => {
  it('round-trips and rejects tampered or oversized data', () => {
    expect(decodeMetadata(encodeMetadata({ channel: 'C1', image: face }))).toEqual({
      channel: 'C1',
      image: face,
    });
    expect(decodeMetadata('{"v":2,"channel":"C1"}')).toBeUndefined();
    expect(decodeMetadata('not json')).toBeUndefined();
    expect(() => encodeMetadata({ channel: 'C1', image: { ...face, url: 'x'.repeat(3000) } })).toThrow(
      /too long/,
    );
  });
});

describe('file kinds', () => {
  it.each([
    [{ subtype: 'slack_audio', mimetype: 'audio/webm' }, 'audio'],
    [{ subtype: 'slack_audio', mimetype: 'audio/mp4' }, 'audio'],
    [{ subtype: 'slack_audio', mimetype: 'video/mp4' }, 'audio'],
    [{ mimetype: 'audio/x-m4a' }, 'audio'],
    [{ mimetype: 'video/webm' }, 'video'],
    [{ mimetype: 'image/heic' }, 'image'],
    [{ mimetype: 'application/pdf', filetype: 'jpg' }, 'other'],
    [{ mimetype: 'application/octet-stream', filetype: 'm4a' }, 'audio'],
  ])('classifies %o as %s', (file, kind) => {
    expect(fileKind(file)).toBe(kind);
  });

  it('takes the first image and the first audio clip of a message, never a plain video', () => {
    const raw = [
      { id: 'F9', name: 'talk.mp4', mimetype: 'video/mp4' },
      { id: 'F1', name: 'face.jpg', mimetype: 'image/jpeg', url_private_download: face.url },
      { id: 'F2', name: 'audio_message.webm', mimetype: 'audio/webm', subtype: 'slack_audio' },
      { id: 'F3', name: 'second.png', mimetype: 'image/png' },
    ];
    const picked = pickMessageFiles(raw);
    expect(picked.image?.id).toBe('F1');
    expect(picked.image?.url).toBe(face.url);
    expect(picked.voice?.id).toBe('F2');
    expect(pickMessageFiles(undefined)).toEqual({});
    expect(toFileMeta({ name: 'no id' })).toBeUndefined();
    expect(usableAsVoice({ id: 'F', name: 'x.mov', mimetype: 'video/quicktime' })).toBe(true);
  });
});

describe('parseSubmission', () => {
  const view = avatarModal({ locale: 'en', config, metadata: { channel: 'C1' }, channelPicker: false });
  const rawFace = { ...face, url_private_download: face.url };

  it('reads files, text, prompt and mode into a draft', () => {
    const parsed = parseSubmission(
      submitted(view, {
        ...fileValue('image', rawFace),
        ...textValue('text', ' Hello there, this is a test. '),
        ...textValue('prompt', 'smiles'),
        ...modeValue('pro'),
      }),
      { channel: 'C1' },
      config,
      'en',
    );
    expect(parsed).toEqual({
      ok: true,
      draft: {
        channel: 'C1',
        image: face,
        text: 'Hello there, this is a test.',
        prompt: 'smiles',
        mode: 'pro',
      },
    });
  });

  it('reads the ticked consent checkbox, and nothing when it is left empty', () => {
    const parse = (consent: unknown[]) =>
      parseSubmission(
        submitted(view, {
          ...fileValue('image', rawFace),
          ...textValue('text', 'Hello there.'),
          consent: { consent: { type: 'checkboxes', selected_options: consent } },
        }),
        { channel: 'C1' },
        config,
        'en',
      );
    const ticked = parse([{ text: { type: 'plain_text', text: 'yes' }, value: 'given' }]);
    expect(ticked.ok && ticked.draft.consentGiven).toBe(true);
    const empty = parse([]);
    expect(empty.ok && empty.draft).not.toHaveProperty('consentGiven');
  });

  it('puts a missing image and a non-audio voice file on their fields', () => {
    const parsed = parseSubmission(
      submitted(view, fileValue('voice', { id: 'F5', name: 'doc.pdf', mimetype: 'application/pdf' })),
      { channel: 'C1' },
      config,
      'en',
    );
    expect(parsed).toEqual({
      ok: false,
      errors: { image: en['error.IMAGE_MISSING'], voice: en['error.VOICE_UNREADABLE'] },
    });
  });

  it('refuses a non-image photo and an oversized file by their declared type and size', () => {
    const parsed = parseSubmission(
      submitted(view, {
        ...fileValue('image', { id: 'F6', name: 'a.gif.txt', mimetype: 'text/plain', filetype: 'text' }),
        ...fileValue('voice', { ...clip, size: 30_000_000 }),
      }),
      { channel: 'C1' },
      config,
      'en',
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.image).toContain('text format');
    expect(parsed.errors.voice).toBe('The voice note is larger than 26 MB. Send a smaller file.');
  });

  it('needs a channel from the picker when the metadata has none', () => {
    const global = avatarModal({ locale: 'en', config, metadata: {}, channelPicker: true });
    const missing = parseSubmission(submitted(global, fileValue('image', rawFace)), {}, config, 'en');
    expect(missing).toMatchObject({ ok: false, errors: { channel: en['slack.error.channelMissing'] } });
    const picked = parseSubmission(
      submitted(global, { ...fileValue('image', rawFace), ...channelValue('C7') }),
      {},
      config,
      'en',
    );
    expect(picked).toMatchObject({ ok: true, draft: { channel: 'C7' } });
  });

  it('places core shape errors on the field they concern, or on one the modal has', () => {
    expect(errorsFor(new InputError('VOICE_AND_TEXT', 'x'), submitted(view, {}), 'en')).toEqual({
      text: en['error.VOICE_AND_TEXT'],
    });
    expect(
      Object.keys(
        errorsFor(
          new InputError('PROMPT_TOO_LONG', 'x', { params: { length: 9, max: 5 } }),
          submitted(view, {}),
          'en',
        ),
      ),
    ).toEqual(['prompt']);
    const shortcut = avatarModal({
      locale: 'en',
      config,
      metadata: { channel: 'C1', image: face, voice: clip },
      channelPicker: false,
    });
    expect(
      Object.keys(
        errorsFor(
          new InputError('IMAGE_FORMAT', 'x', { params: { format: 'tiff' } }),
          submitted(shortcut, {}),
          'en',
        ),
      ),
    ).toEqual(['prompt']);
  });
});

describe('manifest.yml', () => {
  it('asks for the scopes OAuth installs request and names the ids the listeners use', async () => {
    const yaml = await readFile('adapters/slack/manifest.yml', 'utf8');
    const botScopes = /\n {4}bot:\n((?: {6}- .+\n)+)/.exec(yaml)?.[1]?.match(/[\w.:]+$/gm) ?? [];
    expect(botScopes).toEqual([...BOT_SCOPES]);
    expect(yaml).toContain(`command: ${SLASH_COMMAND}\n`);
    expect(yaml).toContain(`callback_id: ${CALLBACK.globalShortcut}\n`);
    expect(yaml).toContain(`callback_id: ${CALLBACK.messageShortcut}\n`);
    const urls = yaml.match(/(?:url|request_url): (\S+)/g) ?? [];
    for (const name of ['avatar-settings', 'avatar-usage', 'avatar-status', 'avatar-forget'])
      expect(yaml).toContain(`command: /${name}\n`);
    // /avatar, the four control commands, events and interactivity.
    expect(urls).toHaveLength(7);
    for (const url of urls) expect(url).toMatch(/\/slack\/events$/);
  });
});
