// Turning interaction payloads into AvatarRequests: options, message-command targets, modal answers,
// attachment host/size/type rules, permissions-derived abilities and the custom_id formats.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAddress, channelAbilities, tokenUsable } from '../adapters/discord/address.js';
import { attachmentPolicy, discordAttachment, isAllowedUrl } from '../adapters/discord/attachments.js';
import {
  againButtonId,
  parseButtonId,
  parseFormModalId,
  retryButtonId,
} from '../adapters/discord/custom-ids.js';
import {
  buildRequest,
  draftFromModal,
  draftFromSlash,
  mediaOfMessage,
  requesterOf,
} from '../adapters/discord/parse.js';
import {
  type CommandData,
  commandDataSchema,
  type Interaction,
  type ModalData,
  modalDataSchema,
  parseInteraction,
} from '../adapters/discord/payload.js';
import { loadConfig } from '../src/config.js';
import { InputError } from '../src/errors.js';
import {
  attachment,
  messageCommand,
  modalSubmit,
  OWNER,
  slashCommand,
  snowflake,
} from './fakes/fake-discord-payloads.js';

const config = loadConfig({ DATA_DIR: '/tmp/unused' });
const policy = attachmentPolicy(undefined, 25 * 1024 * 1024);
const cdn = (name: string) => `https://cdn.discordapp.com/attachments/1/2/${name}?ex=1&is=2&hm=3`;
const png = attachment({ url: cdn('face.png'), filename: 'face.png', contentType: 'image/png', size: 1234 });
const ogg = attachment({
  url: cdn('voice.ogg'),
  filename: 'voice.ogg',
  contentType: 'audio/ogg',
  size: 4321,
});

function interaction(payload: unknown): Interaction {
  const parsed = parseInteraction(payload);
  if (!parsed) throw new Error('payload did not parse');
  return parsed;
}

function inputCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error.code;
    throw error;
  }
  return undefined;
}

function requestFrom(payload: ReturnType<typeof slashCommand>) {
  const i = interaction(payload);
  const data = commandDataSchema.parse(i.data) as CommandData;
  return buildRequest(draftFromSlash(data), {
    interaction: i,
    idempotencyKey: `discord:${i.id}`,
    address: buildAddress(i, ''),
    policy,
    config,
  });
}

describe('slash command parsing', () => {
  it('resolves attachment options and keeps text, prompt and mode', () => {
    const request = requestFrom(
      slashCommand({ image: png, text: 'Hello to the whole team, welcome!', prompt: 'smiles', mode: 'pro' }),
    );
    expect(request).toMatchObject({
      requester: { id: OWNER.id, displayName: 'Ada' },
      image: { name: 'face.png', contentType: 'image/png', size: 1234 },
      text: 'Hello to the whole team, welcome!',
      prompt: 'smiles',
      mode: 'pro',
      locale: 'en-US',
      replyTo: { adapter: 'discord', address: { channelId: expect.any(String), canThread: true } },
    });
    expect(request.voice).toBeUndefined();
  });

  it.each([
    ['no voice and no text', { image: png }, 'VOICE_OR_TEXT_MISSING'],
    ['both voice and text', { image: png, voice: ogg, text: 'Hello to the whole team!' }, 'VOICE_AND_TEXT'],
    ['an unknown mode', { image: png, voice: ogg, mode: 'ultra' }, 'MODE_INVALID'],
    ['no image', { voice: ogg }, 'IMAGE_MISSING'],
    [
      'a PDF as the image',
      { image: { ...png, content_type: 'application/pdf', filename: 'cv.pdf' }, voice: ogg },
      'IMAGE_FORMAT',
    ],
    [
      'an image as the voice',
      { image: png, voice: { ...ogg, content_type: 'image/png' } },
      'VOICE_UNREADABLE',
    ],
    [
      'a file above the input limit',
      { image: { ...png, size: 30 * 1024 * 1024 }, voice: ogg },
      'DOWNLOAD_TOO_BIG',
    ],
    [
      'a URL off Discord',
      { image: { ...png, url: 'https://example.com/face.png' }, voice: ogg },
      'URL_NOT_ALLOWED',
    ],
  ] as const)('refuses %s before replying', (_name, spec, code) => {
    expect(inputCode(() => requestFrom(slashCommand(spec)))).toBe(code);
  });
});

describe('requester facts for team controls', () => {
  it('passes role ids, the channel, and admin status from Manage Server or Administrator', () => {
    const base = slashCommand({});
    const member = (permissions: bigint) => ({
      ...base,
      member: { user: OWNER, nick: null, roles: ['1100000000000000099'], permissions: String(permissions) },
    });
    expect(requesterOf(interaction(member(1n << 5n)))).toMatchObject({
      roles: ['1100000000000000099'],
      isAdmin: true,
    });
    expect(requesterOf(interaction(member(1n << 3n))).isAdmin).toBe(true);
    expect(requesterOf(interaction(member(1n << 11n))).isAdmin).toBe(false);
    expect(requesterOf(interaction(slashCommand({ dm: true })))).not.toHaveProperty('isAdmin');
    expect(requestFrom(slashCommand({ image: png, voice: ogg })).channelId).toBe(base.channel_id);
  });
});

describe('message command targets', () => {
  it('takes the single audio file of a voice message and no image', () => {
    const payload = messageCommand({ attachments: [ogg], voiceMessage: true });
    const data = commandDataSchema.parse(payload.data);
    const target = data.resolved?.messages?.[data.target_id ?? ''];
    expect(target && mediaOfMessage(target)).toEqual({
      voice: expect.objectContaining({ filename: 'voice.ogg' }),
    });
  });

  it('finds a photo and an audio file in an ordinary message, by type or by extension', () => {
    const untyped = attachment({ url: cdn('note.m4a'), filename: 'note.m4a', size: 10 });
    const payload = messageCommand({ attachments: [untyped, png] });
    const data = commandDataSchema.parse(payload.data);
    const target = data.resolved?.messages?.[data.target_id ?? ''];
    const media = target ? mediaOfMessage(target) : {};
    expect(media.voice?.filename).toBe('note.m4a');
    expect(media.image?.filename).toBe('face.png');
  });

  it('merges modal answers with what the message held', () => {
    const payload = modalSubmit('avatar:form:1', { image: png, prompt: 'nods', mode: 'pro' });
    const data = modalDataSchema.parse(payload.data) as ModalData;
    const draft = draftFromModal(data, { userId: OWNER.id, voice: ogg });
    expect(draft).toMatchObject({
      image: { filename: 'face.png' },
      voice: { filename: 'voice.ogg' },
      prompt: 'nods',
      mode: 'pro',
    });
    expect(draft.text).toBeUndefined();
  });
});

describe('attachment hosts and downloads', () => {
  let allowed: Server;
  let foreign: Server;
  const foreignHits: string[] = [];
  let base = '';
  let foreignBase = '';

  beforeAll(async () => {
    foreign = createServer((req, res) => {
      foreignHits.push(req.url ?? '');
      res.end('x');
    });
    allowed = createServer((req, res) => {
      if (req.url?.startsWith('/redirect')) {
        res.writeHead(302, { location: `${foreignBase}/stolen.png` });
        res.end();
      } else {
        // Written in chunks without a Content-Length, so the cap is enforced while streaming.
        res.write(Buffer.alloc(req.url?.startsWith('/big') ? 5000 : 100, 1));
        res.end();
      }
    });
    for (const server of [allowed, foreign]) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(allowed.address() as AddressInfo).port}`;
    foreignBase = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const server of [allowed, foreign]) await new Promise<void>((r) => server.close(() => r()));
  });

  it('allows Discord file hosts over https and the DISCORD_API_URL host as configured', () => {
    const local = attachmentPolicy('http://127.0.0.1:9999/api', 1000);
    expect(isAllowedUrl(new URL('https://cdn.discordapp.com/a'), local)).toBe(true);
    expect(isAllowedUrl(new URL('https://media.discordapp.net/a'), local)).toBe(true);
    expect(isAllowedUrl(new URL('http://cdn.discordapp.com/a'), local)).toBe(false);
    expect(isAllowedUrl(new URL('http://127.0.0.1:9999/files/a'), local)).toBe(true);
    expect(isAllowedUrl(new URL('http://127.0.0.1:9998/files/a'), local)).toBe(false);
    expect(isAllowedUrl(new URL('https://user:pw@cdn.discordapp.com/a'), local)).toBe(false);
  });

  it('downloads from an allowed host and refuses a redirect off it without following', async () => {
    const local = attachmentPolicy(`${base}/api`, 1000);
    const ok = discordAttachment({ ...png, url: `${base}/ok.png`, size: 100 }, 'image', local);
    expect((await ok.fetch(1000)).length).toBe(100);
    const bounced = discordAttachment({ ...png, url: `${base}/redirect.png`, size: 100 }, 'image', local);
    await expect(bounced.fetch(1000)).rejects.toMatchObject({
      code: 'URL_NOT_ALLOWED',
      params: { what: 'photo' },
    });
    const big = discordAttachment({ ...png, url: `${base}/big.png`, size: 10 }, 'image', local);
    await expect(big.fetch(1000)).rejects.toMatchObject({ code: 'DOWNLOAD_TOO_BIG' });
    expect(foreignHits).toEqual([]);
  });
});

describe('addresses and abilities', () => {
  it('allows threads in a text channel only with the thread permissions', () => {
    const full = interaction(slashCommand({}));
    expect(channelAbilities(full)).toEqual({
      canThread: true,
      canPost: true,
      canAttach: true,
      canReply: true,
    });
    const noThreads = interaction(slashCommand({ permissions: String((1n << 10n) | (1n << 11n)) }));
    expect(channelAbilities(noThreads)).toEqual({
      canThread: false,
      canPost: true,
      canAttach: false,
      canReply: false,
    });
    const inThread = interaction(slashCommand({ channelType: 11 }));
    expect(channelAbilities(inThread).canThread).toBe(false);
    const dm = interaction(slashCommand({ dm: true }));
    expect(channelAbilities(dm)).toEqual({
      canThread: false,
      canPost: true,
      canAttach: true,
      canReply: true,
    });
  });

  it('dates the interaction token from its snowflake and stops using it before 15 minutes', () => {
    const now = Date.now();
    const fresh = buildAddress(interaction(slashCommand({ id: snowflake(now - 60_000) })), 'm', now);
    const old = buildAddress(interaction(slashCommand({ id: snowflake(now - 14.5 * 60_000) })), 'm', now);
    expect(tokenUsable(fresh, now)).toBe(true);
    expect(tokenUsable(old, now)).toBe(false);
  });
});

describe('custom ids', () => {
  it('round-trips button ids and rejects anything else', () => {
    const jobId = 'av-abcdefghijklmnopqrst';
    expect(parseButtonId(againButtonId(jobId, 'pro', OWNER.id))).toEqual({
      kind: 'again',
      jobId,
      mode: 'pro',
      ownerId: OWNER.id,
    });
    expect(parseButtonId(retryButtonId(jobId, OWNER.id))).toEqual({
      kind: 'retry',
      jobId,
      ownerId: OWNER.id,
    });
    expect(againButtonId(jobId, 'std', OWNER.id).length).toBeLessThanOrEqual(100);
    expect(parseButtonId(`avatar:again:${jobId}:ultra:${OWNER.id}`)).toBeUndefined();
    expect(parseButtonId('avatar:retry:../etc:1')).toBeUndefined();
    expect(parseFormModalId('avatar:form:123456789012345678')).toBe('123456789012345678');
    expect(parseFormModalId('avatar:form:x')).toBeUndefined();
  });
});

describe('payload schema', () => {
  it('rejects payloads without the fields every interaction has', () => {
    expect(parseInteraction({ type: 2 })).toBeUndefined();
    expect(parseInteraction({ ...slashCommand({}), id: 'not-a-snowflake' })).toBeUndefined();
  });
});
