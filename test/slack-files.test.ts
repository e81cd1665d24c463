// Slack file downloads: the bot token goes only to Slack's hosts (or SLACK_API_URL's), redirects off
// Slack are refused before any request, and the HTML login page becomes a clear error.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackClients } from '../adapters/slack/clients.js';
import { FileAccess } from '../adapters/slack/file-access.js';
import { isSlackFileUrl } from '../adapters/slack/file-download.js';
import { toFileMeta } from '../adapters/slack/file-kinds.js';
import { type SlackFileDeps, slackFileRef } from '../adapters/slack/slack-file.js';
import { InputError } from '../src/errors.js';
import { silentLogger } from '../src/logger.js';
import { FakeSlack } from './fakes/fake-slack.js';
import { SAMPLE_FACE } from './helpers/test-app.js';

let slack: FakeSlack;
let faceBytes: Buffer;

beforeAll(async () => {
  slack = await new FakeSlack().start();
  faceBytes = await readFile(SAMPLE_FACE);
});
afterAll(async () => {
  await slack.close();
});
beforeEach(() => {
  slack.downloads.length = 0;
});

function deps(token = slack.botToken): SlackFileDeps {
  const clients = new SlackClients(async () => token, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
  });
  return {
    token: async () => token,
    fileInfo: async (id) => toFileMeta((await (await clients.client({})).files.info({ file: id })).file),
    apiUrl: slack.apiUrl,
    logger: silentLogger(),
    locale: 'en',
  };
}

async function failure(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('isSlackFileUrl', () => {
  it.each([
    ['https://files.slack.com/files-pri/T1-F1/a.jpg', true],
    ['https://acme.slack.com/files/U1/F1/a.jpg', true],
    ['https://a.slack-edge.com/x.png', true],
    ['http://files.slack.com/files-pri/T1-F1/a.jpg', false],
    ['https://files.slack.com:8443/a.jpg', false],
    ['https://files.slack.com.evil.example/a.jpg', false],
    ['https://evilslack.com/a.jpg', false],
    ['https://user:pw@files.slack.com/a.jpg', false],
    ['https://example.com/a.jpg', false],
  ])('%s → %s', (url, allowed) => {
    expect(isSlackFileUrl(new URL(url), undefined)).toBe(allowed);
  });

  it('allows exactly the SLACK_API_URL origin besides Slack', () => {
    const api = 'http://127.0.0.1:4000/api/';
    expect(isSlackFileUrl(new URL('http://127.0.0.1:4000/files-pri/T1-F1/a'), api)).toBe(true);
    expect(isSlackFileUrl(new URL('http://127.0.0.1:4001/files-pri/T1-F1/a'), api)).toBe(false);
    expect(isSlackFileUrl(new URL('http://localhost:4000/files-pri/T1-F1/a'), api)).toBe(false);
  });
});

describe('slackFileRef', () => {
  it('downloads a private file with the bot token', async () => {
    const file = toFileMeta(
      slack.hostFile({ name: 'face.jpg', mimetype: 'image/jpeg', filetype: 'jpg', bytes: faceBytes }),
    );
    if (!file) throw new Error('no file');
    const ref = slackFileRef(file, 'photo', deps());
    expect(ref.source).toBe(file.url);
    expect((await ref.fetch(10_000_000)).equals(faceBytes)).toBe(true);
    expect(slack.downloads).toEqual([{ path: expect.stringContaining('/files-pri/'), authorized: true }]);
  });

  it('turns the HTML login page Slack serves for a bad token into a clear error', async () => {
    const file = toFileMeta(
      slack.hostFile({ name: 'face.jpg', mimetype: 'image/jpeg', filetype: 'jpg', bytes: faceBytes }),
    );
    if (!file) throw new Error('no file');
    const error = await failure(slackFileRef(file, 'photo', deps('xoxb-revoked')).fetch(10_000_000));
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message).toMatch(/login page.*files:read/);
    expect(error.params.what).toBe('photo');
  });

  it('recognises a login page served under an image content type', async () => {
    const html = Buffer.from('<!DOCTYPE html><html><body>Sign in</body></html>');
    const file = toFileMeta(
      slack.hostFile({ name: 'face.jpg', mimetype: 'image/jpeg', filetype: 'jpg', bytes: html }),
    );
    if (!file) throw new Error('no file');
    expect((await failure(slackFileRef(file, 'photo', deps()).fetch(10_000_000))).message).toMatch(
      /login page/,
    );
  });

  it.each([
    ['a foreign host', () => 'https://evil.example/files-pri/T0FAKE-F1/face.jpg'],
    [
      'the fake under another host name',
      () => `${slack.url.replace('127.0.0.1', 'localhost')}/files-pri/T0FAKE-F1/a.jpg`,
    ],
  ])('refuses %s without sending a request', async (_case, url) => {
    const error = await failure(
      slackFileRef({ id: 'F1', name: 'face.jpg', url: url() }, 'photo', deps()).fetch(10_000_000),
    );
    expect(error.code).toBe('URL_NOT_ALLOWED');
    expect(slack.downloads).toEqual([]);
  });

  it('follows a same-host redirect with the token and refuses one that leaves Slack', async () => {
    const hosted = slack.hostFile({
      name: 'face.jpg',
      mimetype: 'image/jpeg',
      filetype: 'jpg',
      bytes: faceBytes,
    });
    const target = String(hosted.url_private);
    const same = `${slack.url}/redirect/${encodeURIComponent(target)}`;
    expect(
      (await slackFileRef({ id: 'F1', name: 'a.jpg', url: same }, 'photo', deps()).fetch(10_000_000)).length,
    ).toBe(faceBytes.length);
    expect(slack.downloads.at(-1)?.authorized).toBe(true);
    slack.downloads.length = 0;
    const away = `${slack.url}/redirect/${encodeURIComponent(target.replace('127.0.0.1', 'localhost'))}`;
    expect(
      (await failure(slackFileRef({ id: 'F1', name: 'a.jpg', url: away }, 'photo', deps()).fetch(10_000_000)))
        .code,
    ).toBe('URL_NOT_ALLOWED');
    expect(slack.downloads).toEqual([]);
  });

  it('refuses files over the limit by declared size (no request) and while reading', async () => {
    const file = toFileMeta(
      slack.hostFile({ name: 'face.jpg', mimetype: 'image/jpeg', filetype: 'jpg', bytes: faceBytes }),
    );
    if (!file) throw new Error('no file');
    expect((await failure(slackFileRef(file, 'photo', deps()).fetch(1_000))).code).toBe('DOWNLOAD_TOO_BIG');
    expect(slack.downloads).toEqual([]);
    const { size: _size, ...undeclared } = file;
    expect((await failure(slackFileRef(undeclared, 'voice', deps()).fetch(1_000))).params.what).toBe(
      'voice note',
    );
  });

  it('asks files.info for the URL when the file object came without one', async () => {
    const hosted = slack.hostFile({
      name: 'clip.m4a',
      mimetype: 'audio/mp4',
      filetype: 'm4a',
      bytes: Buffer.from('fake-m4a'),
    });
    const ref = slackFileRef({ id: String(hosted.id), name: 'clip.m4a' }, 'voice', deps(), 'T0FAKE');
    expect(ref.source).toBe(`slack-file:T0FAKE:${hosted.id}`);
    expect((await ref.fetch(1_000)).toString()).toBe('fake-m4a');
    expect(slack.callsOf('files.info').at(-1)?.args.file).toBe(hosted.id);
  });
});

describe('FileAccess.revive', () => {
  const clients = () =>
    new SlackClients(async () => slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });

  it('rebuilds a handle from a stored Slack URL or file id, and from nothing else', async () => {
    const access = new FileAccess(clients(), slack.apiUrl, silentLogger());
    const hosted = slack.hostFile({
      name: 'face.jpg',
      mimetype: 'image/jpeg',
      filetype: 'jpg',
      bytes: faceBytes,
    });
    const byUrl = access.revive({
      name: 'face.jpg',
      source: String(hosted.url_private_download),
      contentType: 'image/jpeg',
    });
    expect((await byUrl?.fetch(10_000_000))?.length).toBe(faceBytes.length);
    const byId = access.revive({ name: 'face.jpg', source: `slack-file:T0FAKE:${hosted.id}` });
    expect((await byId?.fetch(10_000_000))?.length).toBe(faceBytes.length);
    expect(access.revive({ name: 'x', source: '/tmp/x.jpg' })).toBeUndefined();
    expect(access.revive({ name: 'x', source: 'https://evil.example/x.jpg' })).toBeUndefined();
  });
});
