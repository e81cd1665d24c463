// The team controls through Slack, against the fake Slack and the core's Kling emulator with
// confirmation and consent turned on: the consent and price questions as buttons on the status
// message, who may answer them, the modal's consent checkbox, the four control slash commands, and a
// limit refusal told privately.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../adapters/slack/controls.js';
import { avatarSettingsCommand } from '../commands/avatar-settings.js';
import type { Job } from '../src/jobs/job.js';
import { jobIdFor } from '../src/util/ids.js';
import type { SlackCall } from './fakes/fake-slack.js';
import { type SlackHarness, startSlackHarness } from './fakes/fake-slack-harness.js';
import {
  blockAction,
  fileValue,
  modeValue,
  postToSlackEvents,
  slashCommand,
  triggerId,
  viewSubmission,
} from './fakes/fake-slack-requests.js';
import { SAMPLE_FACE, SAMPLE_VOICE } from './helpers/test-app.js';

const CONTROLS_ENV = { CONSENT_REQUIRED: 'true', CONFIRM_PRO: 'true', CONFIRM_THRESHOLD_USD: '100' };

let h: SlackHarness;
let face: Buffer;
let voice: Buffer;
let views = 0;

beforeAll(async () => {
  h = await startSlackHarness({ env: CONTROLS_ENV });
  face = await readFile(SAMPLE_FACE);
  voice = await readFile(SAMPLE_VOICE);
});
afterAll(async () => {
  await h.close();
});

type View = {
  blocks: Array<{ block_id?: string; type: string }>;
  private_metadata: string;
  callback_id: string;
};
type Harness = SlackHarness;

async function openModal(on: Harness, user: string): Promise<View> {
  const trigger = triggerId();
  const res = await postToSlackEvents(on.url, slashCommand({ trigger, user, channel: 'C0GENERAL' }));
  expect(res.status).toBe(200);
  return (await on.slack.waitFor('views.open', (c) => c.args.trigger_id === trigger)).args.view as View;
}

/** Opens the modal as `user`, submits a face and a voice note, and returns the job id. */
async function submit(
  on: Harness,
  user: string,
  options: { mode?: 'std' | 'pro'; consent?: boolean } = {},
): Promise<string> {
  const view = await openModal(on, user);
  views += 1;
  const viewId = `V0CTRL${String(views).padStart(4, '0')}`;
  const values = {
    ...fileValue(
      'image',
      on.slack.hostFile({ name: 'face.jpg', mimetype: 'image/jpeg', filetype: 'jpg', bytes: face }),
    ),
    ...fileValue(
      'voice',
      on.slack.hostFile({ name: 'voice.ogg', mimetype: 'audio/ogg', filetype: 'ogg', bytes: voice }),
    ),
    ...modeValue(options.mode ?? 'std'),
    ...(options.consent
      ? {
          consent: {
            consent: {
              type: 'checkboxes',
              selected_options: [{ text: { type: 'plain_text', text: 'yes' }, value: 'given' }],
            },
          },
        }
      : {}),
  };
  const res = await postToSlackEvents(
    on.url,
    viewSubmission(view, values, { viewId, user, userName: user.toLowerCase() }),
  );
  expect([res.status, res.text]).toEqual([200, '']);
  return jobIdFor(`slack:view:${viewId}`);
}

async function waitForState(
  on: Harness,
  jobId: string,
  states: Job['state'][],
  timeoutMs = 40_000,
): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await on.app.service.getJob(jobId);
    if (job && states.includes(job.state)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job?.state ?? 'missing'}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const actionIds = (blocks: unknown) =>
  [...JSON.stringify(blocks ?? '').matchAll(/"action_id":"(\w+)"/g)].map((m) => m[1]);
const buttonLabels = (blocks: unknown) =>
  ((blocks as Array<{ type: string; elements?: Array<{ text?: { text: string } }> }>) ?? [])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .map((e) => e.text?.text);

/** The status message edit that asks for an answer. */
async function question(on: Harness, jobId: string): Promise<{ ts: string; call: SlackCall }> {
  const job = await waitForState(on, jobId, ['awaiting_confirmation']);
  const ts = String(job.replyTo.address.ts);
  const call = await on.slack.waitFor(
    'chat.update',
    (c) =>
      c.args.ts === ts &&
      actionIds(c.args.blocks).some((id) => id === 'avatar_confirm' || id === 'avatar_consent'),
  );
  return { ts, call };
}

let clicks = 0;
async function click(on: Harness, input: { user: string; actionId: string; value: string; ts: string }) {
  clicks += 1;
  const actionTs = `${Math.floor(Date.now() / 1000)}.${String(clicks).padStart(6, '0')}`;
  const res = await postToSlackEvents(
    on.url,
    blockAction({
      actionId: input.actionId,
      value: input.value,
      channel: 'C0GENERAL',
      messageTs: input.ts,
      user: input.user,
      userName: input.user.toLowerCase(),
      actionTs,
    }),
  );
  expect(res.status).toBe(200);
}

const ephemeralTo = (on: Harness, user: string, text: string | RegExp) =>
  on.slack.waitFor(
    'chat.postEphemeral',
    (c) =>
      c.args.user === user &&
      (typeof text === 'string' ? String(c.args.text).includes(text) : text.test(String(c.args.text))),
  );

/** The last edit of a status message, once it shows a final text. */
const finalEdit = (on: Harness, ts: string, start: string) =>
  on.slack.waitFor('chat.update', (c) => c.args.ts === ts && String(c.args.text).startsWith(start));

async function command(on: Harness, name: string, user: string, text = '') {
  const res = await postToSlackEvents(
    on.url,
    slashCommand({ command: `/${name}`, user, text, trigger: triggerId() }),
  );
  expect(res.status).toBe(200);
  expect(res.ms).toBeLessThan(3_000);
  return JSON.parse(res.text) as { response_type: string; text: string; blocks: unknown[] };
}

describe('Slack team controls: answers on the status message', () => {
  it('asks a first-time user for consent; another user’s click is refused privately; the requester’s starts the render', async () => {
    const creates = h.app.emulator?.stats().creates ?? 0;
    const jobId = await submit(h, 'U0NEW');
    const { ts, call } = await question(h, jobId);
    expect(actionIds(call.args.blocks)).toEqual(['avatar_consent', 'avatar_cancel']);
    expect(buttonLabels(call.args.blocks)).toEqual(['It’s me, or I have their consent', 'Cancel']);
    expect(String(call.args.text)).toMatch(/^Before your first video: confirm that you are the person/);

    await click(h, { user: 'U0EVE', actionId: 'avatar_consent', value: jobId, ts });
    const refused = await ephemeralTo(h, 'U0EVE', 'Only the person who started this video');
    expect(refused.args.channel).toBe('C0GENERAL');
    await click(h, { user: 'U0EVE', actionId: 'avatar_cancel', value: jobId, ts });
    await ephemeralTo(h, 'U0EVE', /^Only the person who started this video/);
    expect((await h.app.service.getJob(jobId))?.state).toBe('awaiting_confirmation');
    expect(h.app.emulator?.stats().creates).toBe(creates);

    await click(h, { user: 'U0NEW', actionId: 'avatar_consent', value: jobId, ts });
    await ephemeralTo(h, 'U0NEW', 'Your consent is recorded; the video starts now.');
    const job = await waitForState(h, jobId, ['delivered', 'failed']);
    expect(job.state).toBe('delivered');
    expect(job.controls?.consent?.via).toBe('prompt');
    const upload = [...h.slack.uploads.values()].find((u) => u.filename === `avatar-${jobId}.mp4`);
    expect(upload?.completed).toMatchObject({ channel_id: 'C0GENERAL', thread_ts: ts });
    const done = await finalEdit(h, ts, 'Done');
    expect(actionIds(done.args.blocks)).toEqual(['avatar_again_pro', 'avatar_again_std']);
    expect(h.app.emulator?.stats().creates).toBe(creates + 1);
  });

  it('asks for the price of a pro video (consent already on record) and submits once on "Confirm"', async () => {
    const jobId = await submit(h, 'U0NEW', { mode: 'pro' });
    const { ts, call } = await question(h, jobId);
    expect(actionIds(call.args.blocks)).toEqual(['avatar_confirm', 'avatar_cancel']);
    expect(buttonLabels(call.args.blocks)[0]).toMatch(/^Confirm \(US\$ \d+\.\d\d\)$/);
    expect(String(call.args.text)).toMatch(/^Estimated cost US\$ [\d.]+ \([\d.]+ s of speech, pro mode\)/);
    await click(h, { user: 'U0NEW', actionId: 'avatar_confirm', value: jobId, ts });
    await ephemeralTo(h, 'U0NEW', 'Confirmed. Submitting the video now.');
    expect((await waitForState(h, jobId, ['delivered', 'failed'])).state).toBe('delivered');
    expect(h.app.emulator?.stats().createsByExternalId[jobId]).toBe(1);
  });

  it('cancels on "Cancel": no task at the emulator, the status says so and loses its buttons for good', async () => {
    const creates = h.app.emulator?.stats().creates ?? 0;
    const jobId = await submit(h, 'U0NEW', { mode: 'pro' });
    const { ts } = await question(h, jobId);
    await click(h, { user: 'U0NEW', actionId: 'avatar_cancel', value: jobId, ts });
    await ephemeralTo(h, 'U0NEW', `Cancelled job ${jobId}. Nothing was charged.`);
    const job = await waitForState(h, jobId, ['cancelled']);
    expect(job.error).toMatchObject({ code: 'JOB_CANCELLED', charged: false });
    const final = await finalEdit(h, ts, 'Not made: Cancelled by');
    expect(String(final.args.text)).toMatch(/Nothing was charged\.$/);
    expect(actionIds(final.args.blocks)).toEqual([]);
    // A late click changes nothing and is answered privately.
    await click(h, { user: 'U0NEW', actionId: 'avatar_confirm', value: jobId, ts });
    await ephemeralTo(h, 'U0NEW', 'That video has already ended');
    await new Promise((r) => setTimeout(r, 300));
    expect(
      h.slack
        .callsOf('chat.update')
        .filter((c) => c.args.ts === ts)
        .at(-1),
    ).toBe(final);
    expect(h.app.emulator?.stats().creates).toBe(creates);
  });

  it('lets a workspace admin (users.info is_admin) answer for someone else', async () => {
    h.slack.admins.add('U0BOSS');
    const jobId = await submit(h, 'U0NEW', { mode: 'pro' });
    const { ts } = await question(h, jobId);
    await click(h, { user: 'U0BOSS', actionId: 'avatar_cancel', value: jobId, ts });
    await ephemeralTo(h, 'U0BOSS', `Cancelled job ${jobId}.`);
    expect((await waitForState(h, jobId, ['cancelled'])).error?.code).toBe('JOB_CANCELLED');
    expect(h.slack.callsOf('users.info').some((c) => c.args.user === 'U0BOSS')).toBe(true);
  });

  it('has a consent checkbox in the modal; ticking it skips the consent question', async () => {
    const view = await openModal(h, 'U0TICK');
    expect(view.blocks.map((b) => b.block_id)).toContain('consent');
    const jobId = await submit(h, 'U0TICK', { consent: true });
    const job = await waitForState(h, jobId, ['delivered', 'failed', 'awaiting_confirmation']);
    expect(job.state).toBe('delivered');
    expect(job.controls?.consent?.via).toBe('request');
    const ts = String(job.replyTo.address.ts);
    const asked = h.slack
      .callsOf('chat.update')
      .filter((c) => c.args.ts === ts && actionIds(c.args.blocks).includes('avatar_consent'));
    expect(asked).toEqual([]);
  });
});

describe('Slack team controls: slash commands', () => {
  it('/avatar-usage answers the caller privately with their usage', async () => {
    const reply = await command(h, 'avatar-usage', 'U0NEW');
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toMatch(/\d+ videos?/);
    expect(reply.text).not.toContain('By person:');
  });

  it('/avatar-status shows where a job stands and offers its answers as buttons', async () => {
    const jobId = await submit(h, 'U0NEW', { mode: 'pro' });
    const { ts } = await question(h, jobId);
    const reply = await command(h, 'avatar-status', 'U0NEW', jobId);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain(jobId);
    expect(reply.text).toContain('waiting for your confirmation');
    expect(actionIds(reply.blocks)).toEqual(['avatar_confirm', 'avatar_cancel']);
    expect(buttonLabels(reply.blocks)[0]).toMatch(/^Confirm \(US\$ \d+\.\d\d\)$/);
    await click(h, { user: 'U0NEW', actionId: 'avatar_cancel', value: jobId, ts });
    expect((await waitForState(h, jobId, ['cancelled'])).state).toBe('cancelled');
    const unknown = await command(h, 'avatar-status', 'U0NEW', 'av-nosuchjob');
    expect(unknown.text).toBe('That job no longer exists. Start a new one with /avatar.');
  });

  it('/avatar-settings is refused for a non-admin and shows and changes settings for an admin', async () => {
    const refused = await command(h, 'avatar-settings', 'U0NEW');
    expect(refused.text).toBe('Only an admin of this server or workspace can do that.');
    h.slack.admins.add('U0BOSS');
    const shown = await command(h, 'avatar-settings', 'U0BOSS');
    expect(shown.response_type).toBe('ephemeral');
    expect(shown.text).toContain('Settings for this team (T0FAKE):');
    await command(h, 'avatar-settings', 'U0BOSS', 'set channels <#C0GENERAL|general>');
    const settings = await h.app.service.viewSettings({
      id: 'U0BOSS',
      displayName: 'boss',
      tenantId: 'T0FAKE',
      isAdmin: true,
    });
    expect(settings.settings.allowedChannels).toEqual(['C0GENERAL']);
    await command(h, 'avatar-settings', 'U0BOSS', 'reset channels');
    const after = await h.app.service.viewSettings({
      id: 'U0BOSS',
      displayName: 'boss',
      tenantId: 'T0FAKE',
      isAdmin: true,
    });
    expect(after.settings.allowedChannels).toEqual([]);
  });

  it('/avatar-forget asks first, with a button that deletes the caller’s data', async () => {
    const ask = await command(h, 'avatar-forget', 'U0TICK');
    expect(ask.text).toMatch(/^This deletes everything the bot stores about you: [1-9]\d* video jobs/);
    expect(actionIds(ask.blocks)).toEqual(['avatar_forget']);
    await click(h, { user: 'U0TICK', actionId: 'avatar_forget', value: 'forget', ts: '1.0' });
    await ephemeralTo(h, 'U0TICK', /^Done: deleted [1-9]\d* video jobs/);
    const again = await command(h, 'avatar-forget', 'U0TICK');
    expect(again.text).toMatch(/^This deletes everything the bot stores about you: 0 video jobs/);
  });

  it('reads the command text as the definition’s options, with Slack’s escaped mentions as ids', () => {
    expect(parseArgs(avatarSettingsCommand, '')).toEqual({});
    expect(parseArgs(avatarSettingsCommand, 'set limits.user.perDay 3')).toEqual({
      action: 'set',
      name: 'limits.user.perDay',
      value: '3',
    });
    expect(parseArgs(avatarSettingsCommand, 'ban user=<@U0BAD|bad>')).toEqual({
      action: 'ban',
      user: 'U0BAD',
    });
    expect(parseArgs(avatarSettingsCommand, 'set allowed.channels <#C1|a>, <#C2|b> ')).toEqual({
      action: 'set',
      name: 'allowed.channels',
      value: 'C1,C2',
    });
    expect(parseArgs(avatarSettingsCommand, 'mode pro')).toEqual({ name: 'mode', value: 'pro' });
    expect(parseArgs(avatarSettingsCommand, 'ban <@U0BAD|bad>')).toEqual({ action: 'ban', name: 'U0BAD' });
  });
});

describe('Slack team controls: limits', () => {
  let limited: SlackHarness;
  beforeAll(async () => {
    limited = await startSlackHarness({ env: { USER_JOBS_PER_DAY: '1' } });
  });
  afterAll(async () => {
    await limited.close();
  });

  it('tells the requester privately which limit stopped the second /avatar, and leaves no status message', async () => {
    const first = await submit(limited, 'U0ONE');
    expect((await waitForState(limited, first, ['delivered', 'failed'])).state).toBe('delivered');
    const second = await submit(limited, 'U0ONE');
    const note = await ephemeralTo(limited, 'U0ONE', 'the limit is 1 per person per day');
    expect(note.args.channel).toBe('C0GENERAL');
    expect(String(note.args.text)).toMatch(/It resets at .+\.$/);
    expect(await limited.app.service.getJob(second)).toBeUndefined();
    const deleted = limited.slack.callsOf('chat.delete');
    expect(deleted).toHaveLength(1);
    expect(
      [...limited.slack.messages.values()].filter((m) => JSON.stringify(m.blocks).includes(second)),
    ).toEqual([]);
  });
});
