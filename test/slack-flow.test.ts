// The whole Slack flow against the fake Slack and the core's Kling emulator: modal, submission, status
// message and its updates, the video in the thread, buttons, retries, refusals and the link fallback.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../src/jobs/job.js';
import { jobIdFor } from '../src/util/ids.js';
import type { SlackCall } from './fakes/fake-slack.js';
import { type SlackHarness, startSlackHarness } from './fakes/fake-slack-harness.js';
import {
  blockAction,
  fileValue,
  messageShortcut,
  modeValue,
  postToSlackEvents,
  slashCommand,
  textValue,
  triggerId,
  viewSubmission,
} from './fakes/fake-slack-requests.js';
import { SAMPLE_FACE, SAMPLE_VOICE } from './helpers/test-app.js';

const run = promisify(execFile);
let h: SlackHarness;
let dir: string;
let face: Buffer;
let voice: Buffer;
let webmClip: Buffer;
let m4aClip: Buffer;
let views = 0;

beforeAll(async () => {
  h = await startSlackHarness({ publicUrl: true });
  dir = await mkdtemp(path.join(tmpdir(), 'slack-flow-'));
  face = await readFile(SAMPLE_FACE);
  voice = await readFile(SAMPLE_VOICE);
  // Slack clips as different clients record them: WebM/Opus and M4A/AAC.
  await run('ffmpeg', [
    '-v',
    'error',
    '-i',
    SAMPLE_VOICE,
    '-c:a',
    'libopus',
    '-f',
    'webm',
    path.join(dir, 'clip.webm'),
  ]);
  await run('ffmpeg', [
    '-v',
    'error',
    '-i',
    SAMPLE_VOICE,
    '-c:a',
    'aac',
    '-f',
    'mp4',
    path.join(dir, 'clip.m4a'),
  ]);
  webmClip = await readFile(path.join(dir, 'clip.webm'));
  m4aClip = await readFile(path.join(dir, 'clip.m4a'));
});
afterAll(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

const hostFace = () =>
  h.slack.hostFile({ name: 'face.jpg', mimetype: 'image/jpeg', filetype: 'jpg', bytes: face });
const hostVoice = () =>
  h.slack.hostFile({ name: 'voice.ogg', mimetype: 'audio/ogg', filetype: 'ogg', bytes: voice });
const newViewId = () => {
  views += 1;
  return `V0FLOW${String(views).padStart(4, '0')}`;
};

type View = {
  blocks: Array<{ block_id?: string; type: string }>;
  private_metadata: string;
  callback_id: string;
};

async function openModal(post = slashCommand({ trigger: triggerId() })): Promise<View> {
  const trigger =
    new URLSearchParams(post.body).get('trigger_id') ??
    JSON.parse(new URLSearchParams(post.body).get('payload') ?? '{}').trigger_id;
  expect((await postToSlackEvents(h.url, post)).status).toBe(200);
  return (await h.slack.waitFor('views.open', (c) => c.args.trigger_id === trigger)).args.view as View;
}

/** Opens the form (from `post`, a plain /avatar by default) and submits the sample photo and voice. */
async function submitFaceAndVoice(post?: Parameters<typeof openModal>[0]): Promise<string> {
  const view = await openModal(post);
  const viewId = newViewId();
  const files = { ...fileValue('image', hostFace()), ...fileValue('voice', hostVoice()) };
  await postToSlackEvents(h.url, viewSubmission(view, files, { viewId }));
  return viewId;
}

async function waitForJob(jobId: string, timeoutMs = 40_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await h.app.service.getJob(jobId);
    if (job && (job.state === 'delivered' || job.state === 'failed')) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job?.state ?? 'missing'}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const statusPostOf = (jobId: string) =>
  h.slack.callsOf('chat.postMessage').find((c) => JSON.stringify(c.args.blocks ?? '').includes(jobId));
const editsOf = (ts: string) => h.slack.callsOf('chat.update').filter((c) => c.args.ts === ts);
const uploadsOf = (jobId: string) =>
  [...h.slack.uploads.values()].filter((u) => u.filename === `avatar-${jobId}.mp4`);
const hasButton = (call: SlackCall | undefined, actionId: string) =>
  JSON.stringify(call?.args.blocks ?? '').includes(actionId);

/** The final edit of a status message (it carries the job's last state). */
async function finalEdit(ts: string, text: string): Promise<SlackCall> {
  return h.slack.waitFor('chat.update', (c) => c.args.ts === ts && String(c.args.text).startsWith(text));
}

describe('Slack flow', () => {
  let firstJobId = '';
  let firstTs = '';

  it('submits the modal once despite a retry, shows progress and posts the video in the thread', async () => {
    const view = await openModal(slashCommand({ trigger: triggerId(), channel: 'C0GENERAL' }));
    const viewId = newViewId();
    const post = viewSubmission(
      view,
      {
        ...fileValue('image', hostFace()),
        ...fileValue('voice', hostVoice()),
        ...textValue('prompt', 'smiles, small nods'),
        ...modeValue('std'),
      },
      { viewId },
    );
    const [first, retry] = await Promise.all([
      postToSlackEvents(h.url, post),
      postToSlackEvents(h.url, post, { retryNum: 1 }),
    ]);
    expect([first.status, first.text, retry.status]).toEqual([200, '', 200]);

    const jobId = jobIdFor(`slack:view:${viewId}`);
    const job = await waitForJob(jobId);
    expect(job.state).toBe('delivered');
    const status = statusPostOf(jobId);
    expect(status?.args).toMatchObject({ channel: 'C0GENERAL' });
    expect(status?.args.thread_ts).toBeUndefined();
    expect(String(status?.args.text)).toContain('<@U0ADA>');
    const ts = String(job.replyTo.address.ts);
    expect(h.slack.messages.get(ts)?.channel).toBe('C0GENERAL');
    expect(job.replyTo.address).toMatchObject({ channel: 'C0GENERAL', job: jobId, user: 'U0ADA' });

    const done = await finalEdit(ts, 'Done');
    expect(hasButton(done, 'avatar_again_pro') && hasButton(done, 'avatar_again_std')).toBe(true);
    const texts = editsOf(ts).map((c) => String(c.args.text));
    expect(texts.some((t) => t.startsWith('Accepted: std mode'))).toBe(true);
    expect(texts.at(-1)).toMatch(/^Done: your talking-avatar video is ready/);
    const gaps = editsOf(ts)
      .slice(1)
      .map((c, i) => c.at - (editsOf(ts)[i]?.at ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(90);

    const [upload, ...more] = uploadsOf(jobId);
    expect(more).toEqual([]);
    expect(upload?.completed).toMatchObject({ channel_id: 'C0GENERAL', thread_ts: ts });
    expect(upload?.completed?.initial_comment).toMatch(/^<@U0ADA> AI-generated talking-avatar video/);
    expect(upload?.bytes?.length).toBe(job.result?.bytes);
    expect(h.slack.downloads.filter((d) => !d.authorized)).toEqual([]);
    expect(
      h.slack.callsOf('chat.postMessage').filter((c) => JSON.stringify(c.args.blocks ?? '').includes(jobId)),
    ).toHaveLength(1);
    expect(h.app.emulator?.stats().createsByExternalId[jobId]).toBe(1);
    firstJobId = jobId;
    firstTs = ts;
  });

  it('refuses another user’s button click privately and starts nothing', async () => {
    const actionTs = `${Date.now() / 1000}`;
    const res = await postToSlackEvents(
      h.url,
      blockAction({
        actionId: 'avatar_again_pro',
        value: firstJobId,
        channel: 'C0GENERAL',
        messageTs: firstTs,
        user: 'U0MALLORY',
        userName: 'mallory',
        actionTs,
      }),
    );
    expect(res.status).toBe(200);
    const note = await h.slack.waitFor('chat.postEphemeral', (c) => c.args.user === 'U0MALLORY');
    expect(note.args.text).toBe('Only the person who started this video can use its buttons.');
    expect(h.slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === firstTs)).toEqual([]);
    expect(await h.app.service.getJob(jobIdFor(`slack:action:T0FAKE:${actionTs}`))).toBeUndefined();
  });

  it('makes a new pro job in the same thread when the requester clicks "Again in pro", once per click', async () => {
    const actionTs = `${Date.now() / 1000}`;
    const click = blockAction({
      actionId: 'avatar_again_pro',
      value: firstJobId,
      channel: 'C0GENERAL',
      messageTs: firstTs,
      actionTs,
    });
    const [a, b] = await Promise.all([
      postToSlackEvents(h.url, click),
      postToSlackEvents(h.url, click, { retryNum: 1 }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const jobId = jobIdFor(`slack:action:T0FAKE:${actionTs}`);
    const job = await waitForJob(jobId);
    expect(job).toMatchObject({ state: 'delivered', mode: 'pro' });
    const replies = h.slack
      .callsOf('chat.postMessage')
      .filter((c) => c.args.thread_ts === firstTs && JSON.stringify(c.args.blocks ?? '').includes(jobId));
    expect(replies).toHaveLength(1);
    expect(String(replies[0]?.args.text)).toContain('Starting again in pro mode');
    expect(uploadsOf(jobId).map((u) => u.completed?.thread_ts)).toEqual([firstTs]);
    expect(h.app.emulator?.stats().createsByExternalId[jobId]).toBe(1);
  });

  it('offers Retry after a failed render and reruns the same inputs for the requester', async () => {
    h.app.emulator?.setFaults({ failNextTasks: 1, failMessage: 'risk <control> & co' });
    const viewId = await submitFaceAndVoice();
    const failedJob = await waitForJob(jobIdFor(`slack:view:${viewId}`));
    h.app.emulator?.resetFaults();
    expect(failedJob.error?.code).toBe('KLING_TASK_FAILED');
    const ts = String(failedJob.replyTo.address.ts);
    const failed = await finalEdit(ts, 'Failed');
    expect(String(failed.args.text)).toContain('risk &lt;control&gt; &amp; co');
    expect(String(failed.args.text)).toContain('may have been charged');
    expect(hasButton(failed, 'avatar_retry')).toBe(true);

    const actionTs = `${Date.now() / 1000}`;
    await postToSlackEvents(
      h.url,
      blockAction({
        actionId: 'avatar_retry',
        value: failedJob.id,
        channel: 'C0GENERAL',
        messageTs: ts,
        actionTs,
      }),
    );
    const retried = await waitForJob(jobIdFor(`slack:action:T0FAKE:${actionTs}`));
    expect(retried).toMatchObject({ state: 'delivered', mode: failedJob.mode });
    expect(uploadsOf(retried.id)[0]?.completed?.thread_ts).toBe(ts);
  });

  it('uses the image and the recorded Slack clip of a message, asking only for the rest', async () => {
    const clip = h.slack.hostFile({
      name: 'audio_message.webm',
      mimetype: 'audio/webm',
      filetype: 'webm',
      bytes: webmClip,
      subtype: 'slack_audio',
    });
    const view = await openModal(messageShortcut({ files: [hostFace(), clip], channel: 'C0CLIPS' }));
    expect(view.blocks.filter((b) => b.type === 'input').map((b) => b.block_id)).toEqual(['prompt', 'mode']);
    const viewId = newViewId();
    const res = await postToSlackEvents(h.url, viewSubmission(view, modeValue('std'), { viewId }));
    expect(res.status).toBe(200);
    const job = await waitForJob(jobIdFor(`slack:view:${viewId}`));
    expect(job.state).toBe('delivered');
    expect(job.input.voice).toMatchObject({ name: 'audio_message.webm', contentType: 'audio/webm' });
    expect(uploadsOf(job.id)[0]?.completed?.channel_id).toBe('C0CLIPS');
  });

  it('asks for the photo when the message only has an M4A clip', async () => {
    const clip = h.slack.hostFile({
      name: 'audio_message.m4a',
      mimetype: 'audio/mp4',
      filetype: 'm4a',
      bytes: m4aClip,
      subtype: 'slack_audio',
    });
    const view = await openModal(messageShortcut({ files: [clip] }));
    expect(view.blocks.filter((b) => b.type === 'input').map((b) => b.block_id)).toEqual([
      'image',
      'prompt',
      'mode',
    ]);
    expect(JSON.parse(view.private_metadata).voice).toMatchObject({
      id: clip.id,
      mimetype: 'audio/mp4',
      subtype: 'slack_audio',
    });
  });

  it('shows shape problems on the modal fields and starts nothing', async () => {
    const view = await openModal();
    const viewId = newViewId();
    const posts = h.slack.callsOf('chat.postMessage').length;
    const both = await postToSlackEvents(
      h.url,
      viewSubmission(
        view,
        {
          ...fileValue('image', hostFace()),
          ...fileValue('voice', hostVoice()),
          ...textValue('text', 'Hello, this should not be here at all.'),
        },
        { viewId },
      ),
    );
    expect(JSON.parse(both.text)).toEqual({
      response_action: 'errors',
      errors: { text: 'Give either a voice note or text to speak, not both.' },
    });
    const none = await postToSlackEvents(
      h.url,
      viewSubmission(view, fileValue('voice', hostVoice()), { viewId }),
    );
    expect(JSON.parse(none.text).errors).toEqual({ image: expect.stringContaining('Attach a face photo') });
    expect(h.slack.callsOf('chat.postMessage')).toHaveLength(posts);
    expect(await h.app.service.getJob(jobIdFor(`slack:view:${viewId}`))).toBeUndefined();
  });

  it('never fetches a file URL on a foreign host and says so in the status message', async () => {
    const foreign = {
      ...hostFace(),
      url_private_download: `${h.slack.url.replace('127.0.0.1', 'localhost')}/files-pri/T0FAKE-F0EVIL/face.jpg`,
    };
    const view = await openModal(messageShortcut({ files: [foreign, hostVoice()] }));
    const viewId = newViewId();
    await postToSlackEvents(h.url, viewSubmission(view, {}, { viewId }));
    const job = await waitForJob(jobIdFor(`slack:view:${viewId}`));
    expect(job.error?.code).toBe('URL_NOT_ALLOWED');
    const ts = String(job.replyTo.address.ts);
    const failed = await finalEdit(ts, 'Failed');
    expect(String(failed.args.text)).toContain('The photo link is not from an allowed file host');
    expect(hasButton(failed, 'avatar_retry')).toBe(false);
    expect(h.slack.downloads.filter((d) => d.path.includes('F0EVIL'))).toEqual([]);
  });

  it('turns the HTML login page into a clear failure instead of a broken photo', async () => {
    h.slack.denyDownloads = true;
    try {
      const viewId = await submitFaceAndVoice();
      const job = await waitForJob(jobIdFor(`slack:view:${viewId}`));
      expect(job.error).toMatchObject({ code: 'DOWNLOAD_FAILED', charged: false });
      const failed = await finalEdit(String(job.replyTo.address.ts), 'Failed');
      expect(String(failed.args.text)).toContain('The photo could not be downloaded. Attach it again.');
      expect(String(failed.args.text)).not.toMatch(/Error|at .*\.ts/);
    } finally {
      h.slack.denyDownloads = false;
    }
  });

  it('posts a PUBLIC_URL/media link in the thread when the workspace refuses the upload size', async () => {
    h.slack.failNext('files.getUploadURLExternal', 'file_upload_size_restricted');
    const viewId = await submitFaceAndVoice();
    const job = await waitForJob(jobIdFor(`slack:view:${viewId}`));
    expect(job.state).toBe('delivered');
    const ts = String(job.replyTo.address.ts);
    const linkPost = await h.slack.waitFor(
      'chat.postMessage',
      (c) => c.args.thread_ts === ts && String(c.args.text).includes('/media/'),
    );
    const link = /<(http[^|>]+)\|/.exec(String(linkPost.args.text))?.[1] ?? '';
    expect(link.startsWith(`${h.app.config.http.publicUrl}/media/`)).toBe(true);
    const res = await request(link);
    const body = Buffer.from(await res.body.arrayBuffer());
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('video/mp4');
    expect(body.length).toBe(job.result?.bytes);
    expect(uploadsOf(job.id).filter((u) => u.completed)).toEqual([]);
  });

  it('tells the requester privately when it cannot post in the channel, and starts no job', async () => {
    h.slack.failNext('chat.postMessage', 'not_in_channel');
    const viewId = await submitFaceAndVoice(slashCommand({ trigger: triggerId(), channel: 'C0PRIVATE' }));
    const dm = await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'U0ADA');
    expect(dm.args.text).toContain('I could not post in <#C0PRIVATE>');
    expect(await h.app.service.getJob(jobIdFor(`slack:view:${viewId}`))).toBeUndefined();
  });
});
