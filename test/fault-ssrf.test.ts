// Fault injection, SSRF: attachment URLs that point off the platforms' own file hosts (a loopback
// "attacker" server that counts hits, look-alike hosts, userinfo tricks, IP literals, http downgrades,
// other ports, other schemes, and redirects from an allowed host to a refused one) must never be
// fetched. Slack files fail the job with a clear status message; Discord refuses most of them in the
// interaction's own answer, and a redirect off its CDN fails the job the same way.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../src/i18n/catalog.js';
import type { Job } from '../src/jobs/job.js';
import { jobIdFor } from '../src/util/ids.js';
import { attachment, postInteraction, slashCommand } from './fakes/fake-discord-payloads.js';
import { fileValue, postToSlackEvents, viewSubmission } from './fakes/fake-slack-requests.js';
import { ENGINES, engineEnv } from './helpers/engines.js';
import { avatarModal, type InboundHarness, settle, startInboundHarness } from './helpers/inbound-harness.js';
import { SAMPLE_FACE, SAMPLE_VOICE } from './helpers/test-app.js';

const face = readFileSync(SAMPLE_FACE);
const voice = readFileSync(SAMPLE_VOICE);
const refused = (what: 'photo' | 'voice note') => t(undefined, 'error.URL_NOT_ALLOWED', { what });

describe.each(ENGINES)('fault injection, SSRF ($name engine)', (engine) => {
  let ib: InboundHarness;
  let attacker: Server;
  /** The attacker's origin, e.g. http://127.0.0.1:40123; it would serve a perfectly good photo. */
  let evil = '';
  let evilPort = '';
  const hits: string[] = [];

  beforeAll(async () => {
    attacker = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': face.length }).end(face);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    evilPort = String((attacker.address() as AddressInfo).port);
    evil = `http://127.0.0.1:${evilPort}`;
    ib = await startInboundHarness(await engineEnv(engine));
  }, 30_000);
  afterAll(async () => {
    await ib?.close();
    await engine.teardown?.();
    attacker?.closeAllConnections();
    await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
  });

  /** Tricks common to both platforms, given the platform's real file host and its allowed fake origin. */
  function tricks(realHost: string, fakeOrigin: () => string): Array<[string, () => string]> {
    const file = '/files-pri/T0FAKE-F0EVIL/face.jpg';
    return [
      ['the loopback attacker', () => `${evil}${file}`],
      ['https to the attacker port', () => `https://127.0.0.1:${evilPort}${file}`],
      ['a look-alike host', () => `https://${realHost}.evil.test${file}`],
      ['the real host as a path on another host', () => `https://evil.test/${realHost}${file}`],
      ['userinfo naming the real host', () => `https://${realHost}@127.0.0.1:${evilPort}${file}`],
      ['userinfo in front of the allowed fake', () => fakeOrigin().replace('//', `//${realHost}@`) + file],
      ['an IPv6 loopback literal', () => `http://[::1]:${evilPort}${file}`],
      ['a decimal IP literal', () => `http://2130706433:${evilPort}${file}`],
      ['a hex IP literal', () => `http://0x7f.0x0.0x0.0x1:${evilPort}${file}`],
      ['an http downgrade of the real host', () => `http://${realHost}${file}`],
      ['the real host on another port', () => `https://${realHost}:${evilPort}${file}`],
      ['a file: URL', () => 'file:///etc/passwd'],
    ];
  }

  describe('Slack file URLs off Slack’s hosts', () => {
    const view = avatarModal('C0SSRF');
    let views = 0;
    const hosted = (name: string, mimetype: string, filetype: string, bytes: Buffer) =>
      ib.h.slack.hostFile({ name, mimetype, filetype, bytes });

    /** Submits the form with the photo (or the voice note) at `url`; resolves with the failed job. */
    async function submitWith(role: 'image' | 'voice', url: string): Promise<{ job: Job; status: string }> {
      views += 1;
      const viewId = `V0SSRF${String(views).padStart(4, '0')}`;
      const image = hosted('face.jpg', 'image/jpeg', 'jpg', face);
      const note = hosted('voice.ogg', 'audio/ogg', 'ogg', voice);
      const files = {
        ...fileValue('image', role === 'image' ? { ...image, url_private_download: url } : image),
        ...fileValue('voice', role === 'voice' ? { ...note, url_private_download: url } : note),
      };
      const res = await postToSlackEvents(ib.url, viewSubmission(view, files, { viewId }));
      expect(res.status).toBe(200);
      const jobId = jobIdFor(`slack:view:${viewId}`);
      const job = await ib.waitForEnd(jobId);
      const ts = String(job.replyTo.address.ts);
      const final = await ib.h.slack.waitFor(
        'chat.update',
        (c) => c.args.ts === ts && String(c.args.text).startsWith('Failed'),
      );
      return { job, status: String(final.args.text) };
    }

    const slackTricks: Array<[string, () => string]> = [
      ...tricks('files.slack.com', () => ib.h.slack.url),
      [
        'a redirect from the allowed host to the attacker',
        () => `${ib.h.slack.url}/redirect/${encodeURIComponent(`${evil}/files-pri/T0FAKE-F0EVIL/face.jpg`)}`,
      ],
      [
        'a redirect from the allowed host to a look-alike',
        () =>
          `${ib.h.slack.url}/redirect/${encodeURIComponent('https://files.slack.com.evil.test/face.jpg')}`,
      ],
    ];

    it.each(slackTricks)('never fetches a photo URL with %s and says why', async (_name, url) => {
      const downloads = ib.h.slack.downloads.length;
      const { job, status } = await submitWith('image', url());
      expect(job.error).toMatchObject({ code: 'URL_NOT_ALLOWED', charged: false });
      expect(status).toContain(refused('photo'));
      expect(status).not.toMatch(/Error|at .*\.ts|127\.0\.0\.1|evil/);
      expect(ib.h.app.emulator?.stats().createsByExternalId[job.id]).toBeUndefined();
      expect(ib.h.slack.downloads.length).toBe(downloads);
      expect(hits).toEqual([]);
    });

    it('never fetches a voice note URL on the attacker, after fetching the genuine photo', async () => {
      const downloads = ib.h.slack.downloads.length;
      const { job, status } = await submitWith('voice', `${evil}/files-pri/T0FAKE-F0EVIL/voice.ogg`);
      expect(job.error?.code).toBe('URL_NOT_ALLOWED');
      expect(status).toContain(refused('voice note'));
      expect(ib.h.slack.downloads.length).toBe(downloads + 1); // the photo, from the fake Slack
      expect(hits).toEqual([]);
    });
  });

  describe('Discord attachment URLs off Discord’s CDN', () => {
    const endpoint = () => `${ib.url}/discord/interactions`;
    const photoAt = (url: string, proxyUrl?: string) => ({
      ...attachment({ url, filename: 'face.jpg', contentType: 'image/jpeg', size: face.length }),
      ...(proxyUrl ? { proxy_url: proxyUrl } : {}),
    });
    const voiceNote = () =>
      attachment({
        url: ib.discord.addFile('voice.ogg', voice, 'audio/ogg'),
        filename: 'voice.ogg',
        contentType: 'audio/ogg',
        size: voice.length,
      });
    async function send(image: ReturnType<typeof photoAt>) {
      const payload = slashCommand({ image, voice: voiceNote() });
      ib.discord.trackInteraction(payload.token, payload.channel_id);
      const answer = await postInteraction(endpoint(), payload, ib.keys);
      return { payload, answer, jobId: jobIdFor(`discord:${payload.id}`) };
    }

    it.each(tricks('cdn.discordapp.com', () => ib.discord.url))(
      'refuses a photo URL with %s in the interaction answer, contacting nothing',
      async (_name, url) => {
        const before = await ib.world();
        const { answer, jobId } = await send(photoAt(url()));
        expect(answer).toMatchObject({ status: 200, body: { type: 4, data: { flags: 64 } } });
        expect((answer.body as { data: { content: string } }).data.content).toBe(refused('photo'));
        await settle();
        expect(await ib.world()).toEqual(before);
        expect(await ib.h.app.service.getJob(jobId)).toBeUndefined();
        expect(hits).toEqual([]);
      },
    );

    it.each([
      ['the attacker', () => `${evil}/face.jpg`],
      ['a look-alike host', () => 'https://cdn.discordapp.com.evil.test/face.jpg'],
      ['userinfo naming the CDN', () => `https://cdn.discordapp.com@127.0.0.1:${evilPort}/face.jpg`],
    ])('fails the job when the allowed host redirects to %s, never following it', async (_name, target) => {
      const files = ib.discord.fileRequests.length;
      const { payload, answer, jobId } = await send(photoAt(ib.discord.addRedirect('face.jpg', target())));
      expect(answer.body).toEqual({ type: 5 });
      const job = await ib.waitForEnd(jobId);
      expect(job.error).toMatchObject({ code: 'URL_NOT_ALLOWED', charged: false });
      const deadline = Date.now() + 10_000;
      while (!ib.discord.original(payload.token)?.content.startsWith('Failed') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(ib.discord.original(payload.token)?.content).toContain(refused('photo'));
      expect(ib.discord.fileRequests.length).toBe(files + 1); // the redirect itself, nothing after it
      expect(ib.h.app.emulator?.stats().createsByExternalId[jobId]).toBeUndefined();
      expect(hits).toEqual([]);
    });

    it('ignores proxy_url entirely: a hostile one is never fetched, the CDN url is', async () => {
      const files = ib.discord.fileRequests.length;
      const image = photoAt(ib.discord.addFile('face.jpg', face, 'image/jpeg'), `${evil}/proxy/face.jpg`);
      const { answer, jobId } = await send(image);
      expect(answer.body).toEqual({ type: 5 });
      expect((await ib.waitForEnd(jobId)).state).toBe('delivered');
      expect(ib.discord.fileRequests.length).toBe(files + 2); // photo and voice note, from the fake CDN
      expect(hits).toEqual([]);
    });
  });
});
