// The platform-neutral command handlers (/avatar-settings, /avatar-usage, /avatar-status,
// /avatar-forget and the answers to a waiting job), usage sums settled to the actual result length,
// retention on schedule (with a moved clock) and forgetting a user, against the real store and emulator.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleAvatarForget } from '../commands/avatar-forget.js';
import { handleJobAction } from '../commands/avatar-job-actions.js';
import { handleAvatarSettings } from '../commands/avatar-settings.js';
import { handleAvatarStatus } from '../commands/avatar-status.js';
import { handleAvatarUsage } from '../commands/avatar-usage.js';
import { SETTING_NAMES } from '../src/controls/settings.js';
import type { Requester } from '../src/core/types.js';
import { registerCatalogue } from '../src/i18n/catalog.js';
import { en } from '../src/i18n/en.js';
import type { Job } from '../src/jobs/job.js';
import { avatarRequest } from './helpers/avatar-request.js';
import { RecordingAdapter } from './helpers/recording-adapter.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

let t: TestApp;
let adapter: RecordingAdapter;
const HOUR = 3_600_000;
const month = new Date().toISOString().slice(0, 7);
const boss: Requester = { id: 'boss', displayName: 'Boss', tenantId: 'cmd', isAdmin: true };
const ada: Requester = { id: 'ada', displayName: 'Ada', tenantId: 'cmd' };
const bob: Requester = { id: 'bob', displayName: 'Bob', tenantId: 'cmd' };

beforeAll(async () => {
  t = await startTestApp({ env: { CONFIRM_THRESHOLD_USD: '0.5' } });
  adapter = new RecordingAdapter();
  t.app.service.registerAdapter(adapter);
});
afterAll(async () => {
  await t.close();
});

async function deliver(requester: Requester, channelId: string): Promise<Job> {
  const { jobId } = await t.app.service.submit(avatarRequest(requester, { channelId }));
  expect((await adapter.finished(jobId)).phase).toBe('delivered');
  return (await t.app.service.getJob(jobId)) as Job;
}

const jobDir = (jobId: string) => path.join(t.app.config.paths.dataDir, 'jobs', jobId);

describe('/avatar-settings', () => {
  it('is for admins only', async () => {
    const reply = await handleAvatarSettings(t.app.service, ada, {}, 'en');
    expect(reply).toMatchObject({ error: 'ADMIN_ONLY', private: true });
    expect(reply.text).toBe('Only an admin of this server or workspace can do that.');
  });

  it('shows every setting with its value and what it does, marking changes', async () => {
    await handleAvatarSettings(t.app.service, boss, { action: 'set', name: 'user.perDay', value: '5' }, 'en');
    const { text } = await handleAvatarSettings(t.app.service, boss, {}, 'en');
    expect(text.split('\n')[0]).toBe('Settings for this team (cmd):');
    expect(text).toContain('• user.perDay = 5 (changed): videos per day, per person');
    expect(text).toContain(
      '• confirm.threshold = US$ 0.5: estimates above this many US$ need a confirmation',
    );
    expect(text).toContain('• roles = no restriction: roles or groups allowed to use the bot');
    expect(text).toContain('• banned = nobody: users who may not use the bot');
    expect(text.split('\n')).toHaveLength(1 + SETTING_NAMES.length);
  });

  it('sets, resets, sets a person’s own limit, bans and unbans, with a sentence each', async () => {
    const run = (args: Record<string, string>) => handleAvatarSettings(t.app.service, boss, args, 'en');
    expect((await run({ name: 'mode', value: 'pro' })).text).toBe('mode is now pro.');
    expect((await run({ action: 'reset', name: 'mode' })).text).toBe('mode is back to its default, std.');
    expect((await run({ action: 'set', name: 'channels', value: '<#C1|general>, C2' })).text).toBe(
      'channels is now C1, C2.',
    );
    await run({ action: 'reset', name: 'channels' });
    expect((await run({ action: 'set', name: 'user.perDay', value: '0', user: 'bob' })).text).toBe(
      'user.perDay for bob is now no limit.',
    );
    expect((await run({ action: 'ban', user: 'troll' })).text).toBe('troll can no longer use the bot here.');
    expect((await run({ action: 'unban', name: 'troll' })).text).toBe('troll can use the bot here again.');
    const shown = (await run({})).text;
    expect(shown).toContain('• Limits for bob: user.perDay = no limit');
  });

  it('explains unknown settings and bad values', async () => {
    const run = (args: Record<string, string>) => handleAvatarSettings(t.app.service, boss, args, 'en');
    const unknown = await run({ action: 'set', name: 'colour', value: 'red' });
    expect(unknown.error).toBe('SETTING_UNKNOWN');
    expect(unknown.text).toMatch(/^There is no setting "colour"\. Settings: mode, price\.std, /);
    const bad = await run({ action: 'set', name: 'user.perDay', value: 'lots' });
    expect(bad.text).toBe('"lots" does not fit user.perDay: use a whole number; 0 means no limit.');
    expect((await run({ action: 'set', name: 'confirm.pro', value: 'maybe' })).text).toBe(
      '"maybe" does not fit confirm.pro: use on or off.',
    );
  });
});

describe('the team’s default language', () => {
  it('answers in it when the platform gives no locale for the user, and gives it to new jobs', async () => {
    registerCatalogue('zz', { ...en, 'usage.today': 'Heute: {count} von {limit}.' });
    const lang: Requester = { id: 'lea', displayName: 'Lea', tenantId: 'lang' };
    const admin = { ...boss, tenantId: 'lang' };
    expect(
      (await handleAvatarSettings(t.app.service, admin, { name: 'locale', value: 'zz' }, 'en')).text,
    ).toBe('locale is now zz.');
    expect((await handleAvatarUsage(t.app.service, lang, {}, undefined)).text).toContain('Heute: 0 von 20.');
    expect((await handleAvatarUsage(t.app.service, lang, {}, 'en-GB')).text).toContain(
      'Today: 0 of 20 videos.',
    );
    const bad = await handleAvatarSettings(
      t.app.service,
      admin,
      { name: 'locale', value: 'not a code' },
      'en',
    );
    expect(bad.text).toBe(
      '"not a code" does not fit locale: use a language code such as en or ar, or "default".',
    );
    const { jobId } = await t.app.service.submit(avatarRequest(lang));
    expect((await t.app.service.getJob(jobId))?.locale).toBe('zz');
    const own = await t.app.service.submit(avatarRequest(lang, { locale: 'en-US' }));
    expect((await t.app.service.getJob(own.jobId))?.locale).toBe('en-US');
    await Promise.all([adapter.finished(jobId), adapter.finished(own.jobId)]);
  });
});

describe('usage', () => {
  let first: Job;
  beforeAll(async () => {
    first = await deliver(ada, 'c1');
    await deliver(ada, 'c2');
    await deliver(bob, 'c1');
  }, 60_000);

  it('records each job’s spend at the actual length of its result, next to the estimate', () => {
    const spend = first.controls?.spend;
    expect(spend?.basis).toBe('result');
    expect(spend?.seconds).toBe(first.result?.durationSeconds);
    expect(spend?.usd).toBeCloseTo((first.result?.durationSeconds ?? 0) * 0.056, 9);
    expect(first.estimatedCost).toBeCloseTo((first.prepared?.audioSeconds ?? 0) * 0.056, 9);
  });

  it('sums per person, per channel and per team; a member sees their own only', async () => {
    const mine = await t.app.service.usage(ada);
    expect(mine.team).toBeUndefined();
    expect(mine.user.totals.jobs).toBe(2);
    expect(mine.user.today).toBe(2);
    expect(mine.user.remainingSeconds).toBe(Math.floor(600 - mine.user.totals.seconds));
    const team = await t.app.service.usage(boss);
    const byUser = Object.fromEntries((team.team?.byUser ?? []).map((r) => [r.id, r.totals]));
    const byChannel = Object.fromEntries((team.team?.byChannel ?? []).map((r) => [r.id, r.totals]));
    expect(byUser.ada?.jobs).toBe(2);
    expect(byUser.bob?.jobs).toBe(1);
    expect(byChannel.c1?.jobs).toBe(2);
    expect(byChannel.c2?.jobs).toBe(1);
    const seconds = (byUser.ada?.seconds ?? 0) + (byUser.bob?.seconds ?? 0);
    expect(team.team?.totals.seconds).toBeCloseTo(seconds, 6);
    expect(team.team?.byDay).toHaveLength(1);
    expect(team.team?.byDay[0]?.spend.jobs).toBe(3);
  });

  it('/avatar-usage says it in sentences', async () => {
    const own = (await handleAvatarUsage(t.app.service, ada, {}, 'en')).text;
    expect(own).toMatch(
      new RegExp(
        `^Your usage in ${month}: 2 videos, 13\\.\\d s, US\\$ 0\\.7\\d\\. In progress: 0 \\(0 s held\\)\\.`,
      ),
    );
    expect(own).toContain('Today: 2 of 5 videos. At a time: 0 of 3.');
    expect(own).toMatch(/This month: 13\.\d of 600 s used, 586 s left \(resets on \d{4}-\d\d-01\)\./);
    expect(own).not.toContain('Team usage');
    const team = (await handleAvatarUsage(t.app.service, boss, {}, 'en')).text;
    expect(team).toContain(`Team usage in ${month}: 3 videos`);
    expect(team).toMatch(/By person:\n• Ada: 2 videos, 13\.\d s, US\$ 0\.7\d\n• Bob: 1 videos/);
    expect(team).toMatch(/By channel:\n• c1: 2 videos/);
  });
});

describe('/avatar-status and the answers to a waiting job', () => {
  const cat: Requester = { id: 'cat', displayName: 'Cat', tenantId: 'wait' };
  beforeAll(async () => {
    await t.app.service.changeSettings(
      { ...boss, tenantId: 'wait' },
      { action: 'set', name: 'confirm.threshold', value: '0' },
    );
  });

  it('gives state, place in the team, elapsed time and cost, with the open answers', async () => {
    const a = await t.app.service.submit(avatarRequest(cat));
    const b = await t.app.service.submit(avatarRequest(cat));
    await adapter.waitFor(a.jobId, 'awaiting_confirmation');
    await adapter.waitFor(b.jobId, 'awaiting_confirmation');
    const reply = await handleAvatarStatus(t.app.service, cat, { job: b.jobId }, 'en');
    const lines = reply.text.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^Job ${b.jobId} \\(std\\): waiting for your confirmation, \\d+ s since it was accepted\\.$`,
      ),
    );
    expect(lines[1]).toBe('Number 2 of 2 unfinished videos in this team.');
    expect(lines[2]).toBe('Estimated cost US$ 0.37.');
    expect(reply.actions).toEqual([
      { action: 'confirm', jobId: b.jobId },
      { action: 'cancel', jobId: b.jobId },
    ]);
    expect((await handleAvatarStatus(t.app.service, bob, { job: b.jobId }, 'en')).error).toBe(
      'JOB_NOT_YOURS',
    );
    expect((await handleAvatarStatus(t.app.service, cat, { job: 'av-nope' }, 'en')).error).toBe(
      'JOB_NOT_FOUND',
    );

    const cancelled = await handleJobAction(t.app.service, cat, { action: 'cancel', job: a.jobId }, 'en');
    expect(cancelled.text).toBe(`Cancelled job ${a.jobId}. Nothing was charged.`);
    expect((await handleAvatarStatus(t.app.service, cat, { job: b.jobId }, 'en')).text).toContain(
      'Number 1 of 1 unfinished videos',
    );
    expect((await handleJobAction(t.app.service, cat, { action: 'confirm', job: b.jobId }, 'en')).text).toBe(
      'Confirmed. Submitting the video now.',
    );
    await adapter.finished(b.jobId);
    const done = await handleAvatarStatus(t.app.service, cat, { job: b.jobId }, 'en');
    expect(done.text).toMatch(/: delivered, \d+ s since it was accepted\.\nCounted: 6\.\d s, US\$ 0\.3\d\.$/);
    expect(done.actions).toBeUndefined();
    const again = await handleJobAction(t.app.service, cat, { action: 'cancel', job: b.jobId }, 'en');
    expect(again).toMatchObject({
      error: 'JOB_ALREADY_ENDED',
      text: 'That video has already ended (delivered).',
    });
  });

  it('offers a cancel for a job that was not submitted yet', async () => {
    const { jobId } = await t.app.service.submit(avatarRequest(cat));
    const reply = await handleAvatarStatus(t.app.service, cat, { job: jobId }, 'en');
    if (reply.text.includes('waiting for your confirmation'))
      expect(reply.actions?.[1]).toEqual({ action: 'cancel', jobId });
    else {
      expect(reply.text).toContain('It has not been submitted yet, so you can still cancel it.');
      expect(reply.actions).toEqual([{ action: 'cancel', jobId }]);
    }
    await t.app.service.cancel(jobId, cat);
  });
});

describe('retention', () => {
  const dee: Requester = { id: 'dee', displayName: 'Dee', tenantId: 'keep' };

  it('deletes inputs after INPUT_RETENTION_HOURS and the result after RESULT_RETENTION_HOURS', async () => {
    const job = await deliver(dee, 'c1');
    const endedAt = job.controls?.endedAt ?? 0;
    expect((await readdir(jobDir(job.id))).sort()).toEqual(
      expect.arrayContaining(['image.jpg', 'input-image', 'input-voice', 'result.mp4']),
    );
    // The sweep covers every job; earlier tests' jobs ended before this one, so only its files are checked.
    await t.app.service.retention.sweep(endedAt + 6 * HOUR - 1_000);
    expect(await readdir(jobDir(job.id))).toContain('input-image');
    expect((await t.app.service.retention.sweep(endedAt + 6 * HOUR + 1_000)).inputs).toBeGreaterThanOrEqual(
      1,
    );
    expect(await readdir(jobDir(job.id))).toEqual(['result.mp4']);
    const scrubbed = await t.app.service.getJob(job.id);
    expect(scrubbed?.input.image.path).toBeUndefined();
    expect(scrubbed?.controls?.retention?.inputsDeletedAt).toBe(endedAt + 6 * HOUR + 1_000);
    await expect(
      t.app.service.rerun(job.id, { idempotencyKey: `again-${job.id}`, requesterId: 'dee' }),
    ).rejects.toMatchObject({ code: 'JOB_INPUTS_GONE' });
    await t.app.service.retention.sweep(endedAt + 72 * HOUR + 1_000);
    await expect(readdir(jobDir(job.id))).rejects.toThrow(/ENOENT/);
    expect((await t.app.service.getJob(job.id))?.controls?.retention?.resultDeletedAt).toBeDefined();
  });

  it('removes folders that no job record owns', async () => {
    await mkdir(jobDir('av-orphan'), { recursive: true });
    await writeFile(path.join(jobDir('av-orphan'), 'input-image'), 'x');
    expect((await t.app.service.retention.sweep()).orphans).toBeGreaterThanOrEqual(1);
    await expect(readdir(jobDir('av-orphan'))).rejects.toThrow(/ENOENT/);
  });
});

describe('/avatar-forget', () => {
  const eve: Requester = { id: 'eve', displayName: 'Eve', tenantId: 'cmd' };

  it('asks first, then deletes every job, file, consent and usage detail, keeping team totals', async () => {
    const job = await deliver(eve, 'c9');
    await t.app.service.controls.consent.record('eve', { at: Date.now(), via: 'prompt' });
    const teamBefore = (await t.app.service.usage(boss)).team?.totals;
    const ask = await handleAvatarForget(t.app.service, eve, {}, 'en');
    expect(ask.text).toMatch(
      /^This deletes everything the bot stores about you: 1 video jobs with their files,/,
    );
    expect(ask.actions).toEqual([{ action: 'forget' }]);
    expect(await t.app.service.getJob(job.id)).toBeDefined();

    const done = await handleAvatarForget(t.app.service, eve, { confirm: 'yes' }, 'en');
    expect(done.text).toMatch(
      /^Done: deleted 1 video jobs, [4-9] files, your consent record and your usage details\./,
    );
    expect(await t.app.service.getJob(job.id)).toBeUndefined();
    await expect(readdir(jobDir(job.id))).rejects.toThrow(/ENOENT/);
    expect(await t.app.service.controls.consent.get('eve')).toBeUndefined();
    const team = await t.app.service.usage(boss);
    expect(team.team?.byUser.map((r) => r.id)).not.toContain('eve');
    expect(team.team?.byUser.map((r) => r.id)).toContain('~forgotten');
    expect(team.team?.totals).toEqual(teamBefore);
    expect((await t.app.service.usage(eve)).user.totals.jobs).toBe(0);
    expect((await handleAvatarUsage(t.app.service, boss, {}, 'en')).text).toContain(
      '• people who asked to be forgotten: 1 videos',
    );
  });

  it('waits while one of the user’s renders runs at the provider', async () => {
    const store = t.app.store;
    const controls = t.app.service.controls;
    const now = Date.now();
    await controls.ledger.lock('cmd', () =>
      controls.ledger.reserve(
        'cmd',
        'av-running',
        { userId: 'fay', mode: 'std', seconds: 2, createdAt: now, day: '2000-01-01', month: '2000-01' },
        'Fay',
      ),
    );
    await store.insert({
      id: 'av-running',
      idempotencyKey: 'k-running',
      state: 'processing',
      createdAt: now,
      updatedAt: now,
      requester: { id: 'fay', displayName: 'Fay', tenantId: 'cmd' },
      replyTo: { adapter: 'none', address: {} },
      mode: 'std',
      prompt: 'p',
      input: { image: { name: 'f.jpg', source: 'f.jpg' } },
      callbackToken: 'running-token-0123456789',
    });
    const reply = await handleAvatarForget(
      t.app.service,
      { id: 'fay', displayName: 'Fay', tenantId: 'cmd' },
      { confirm: 'yes' },
      'en',
    );
    expect(reply).toMatchObject({
      error: 'FORGET_JOBS_RUNNING',
      text: '1 of your videos are rendering right now. Run the command again once they have finished.',
    });
    expect(await store.get('av-running')).toBeDefined();
  });
});
