// Budgets and access end to end through AvatarService.submit: the 50-request race, each limit per
// user and per tenant (with the message naming the limit, its value and when it resets), and the
// access rules. Jobs are held in 'awaiting_confirmation' (threshold 0) so most tests render nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SettingsChange } from '../src/core/avatar-service.js';
import type { AvatarRequest, Requester } from '../src/core/types.js';
import { InputError } from '../src/errors.js';
import { describeError } from '../src/i18n/catalog.js';
import { avatarRequest } from './helpers/avatar-request.js';
import { RecordingAdapter } from './helpers/recording-adapter.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

let t: TestApp;
let adapter: RecordingAdapter;

beforeAll(async () => {
  t = await startTestApp({ env: { CONFIRM_THRESHOLD_USD: '0', MEDIA_CONCURRENCY: '4' } });
  adapter = new RecordingAdapter();
  t.app.service.registerAdapter(adapter);
});
afterAll(async () => {
  await t.close();
});

const admin = (tenantId: string): Requester => ({ id: 'boss', displayName: 'Boss', tenantId, isAdmin: true });

async function configure(tenantId: string, changes: Array<[string, string]>): Promise<void> {
  for (const [name, value] of changes)
    await t.app.service.changeSettings(admin(tenantId), { action: 'set', name, value } as SettingsChange);
}

async function refusal(request: AvatarRequest): Promise<InputError> {
  const error = await t.app.service.submit(request).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

/** Submits and waits until the job sits in awaiting_confirmation (its seconds are then held). */
async function waiting(request: AvatarRequest): Promise<string> {
  const { jobId } = await t.app.service.submit(request);
  await adapter.waitFor(jobId, 'awaiting_confirmation');
  return jobId;
}

describe('budgets', () => {
  it('lets exactly 10 of 50 racing requests from one user through a budget of 10, and renders 10', async () => {
    await configure('race', [
      ['user.perDay', '10'],
      ['user.concurrent', '0'],
      ['confirm.threshold', '100'],
    ]);
    const before = t.app.emulator?.stats().creates ?? 0;
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        t.app.service.submit(avatarRequest({ id: 'racer', tenantId: 'race' })),
      ),
    );
    const created = results.filter((r) => r.status === 'fulfilled').map((r) => r.value.jobId);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(created).toHaveLength(10);
    expect(new Set(created).size).toBe(10);
    expect(refused.every((r) => (r.reason as InputError).code === 'LIMIT_USER_PER_DAY')).toBe(true);
    const finals = await Promise.all(created.map((id) => adapter.finished(id, 45_000)));
    expect(finals.every((u) => u.phase === 'delivered')).toBe(true);
    expect((t.app.emulator?.stats().creates ?? 0) - before).toBe(10);
    const report = await t.app.service.usage({ id: 'racer', displayName: 'R', tenantId: 'race' });
    expect(report.user.totals.jobs).toBe(10);
    expect(report.user.today).toBe(10);
  }, 60_000);

  it('refuses a third job at once for a user limited to 2 at a time, and names the limit', async () => {
    await configure('uc', [['user.concurrent', '2']]);
    const a = await waiting(avatarRequest({ id: 'u1', tenantId: 'uc' }));
    await waiting(avatarRequest({ id: 'u1', tenantId: 'uc' }));
    const error = await refusal(avatarRequest({ id: 'u1', tenantId: 'uc' }));
    expect(error.code).toBe('LIMIT_USER_CONCURRENT');
    expect(describeError('en', error)).toBe(
      'You already have 2 videos in progress; the limit is 2 at a time per person. Try again when one has finished.',
    );
    // Another person is not affected, and a cancelled job frees the slot.
    await waiting(avatarRequest({ id: 'u2', tenantId: 'uc' }));
    await t.app.service.cancel(a, 'u1');
    await waiting(avatarRequest({ id: 'u1', tenantId: 'uc' }));
  });

  it('limits jobs at once for the whole team', async () => {
    await configure('tc', [['tenant.concurrent', '2']]);
    await waiting(avatarRequest({ id: 'u1', tenantId: 'tc' }));
    await waiting(avatarRequest({ id: 'u2', tenantId: 'tc' }));
    const error = await refusal(avatarRequest({ id: 'u3', tenantId: 'tc' }));
    expect(error.code).toBe('LIMIT_TENANT_CONCURRENT');
    expect(describeError('en', error)).toContain(
      'This team already has 2 videos in progress; the limit is 2',
    );
  });

  it('limits jobs per day per user and per team, saying when the day resets', async () => {
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await configure('ud', [
      ['user.perDay', '1'],
      ['tenant.perDay', '2'],
    ]);
    await waiting(avatarRequest({ id: 'u1', tenantId: 'ud' }));
    const mine = await refusal(avatarRequest({ id: 'u1', tenantId: 'ud' }));
    expect(mine.code).toBe('LIMIT_USER_PER_DAY');
    expect(describeError('en', mine)).toBe(
      `You have started 1 videos today; the limit is 1 per person per day. It resets at ${tomorrow} 00:00 UTC.`,
    );
    await waiting(avatarRequest({ id: 'u2', tenantId: 'ud' }));
    const team = await refusal(avatarRequest({ id: 'u3', tenantId: 'ud' }));
    expect(team.code).toBe('LIMIT_TENANT_PER_DAY');
    expect(describeError('en', team)).toContain(
      `the limit is 2 per day. It resets at ${tomorrow} 00:00 UTC.`,
    );
  });

  it('holds seconds per month: refused at once when even the shortest video cannot fit', async () => {
    const now = new Date();
    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1))
      .toISOString()
      .slice(0, 10);
    await configure('us', [['user.secondsPerMonth', '8']]);
    await waiting(avatarRequest({ id: 'u1', tenantId: 'us' })); // holds 6.7 s
    const error = await refusal(avatarRequest({ id: 'u1', tenantId: 'us' }));
    expect(error.code).toBe('LIMIT_USER_SECONDS_PER_MONTH');
    expect(describeError('en', error)).toBe(
      `This video needs 2 s, but 1 s are left of your 8 s per month. The limit resets on ${nextMonth}. Send a shorter voice note, or ask an admin to raise it.`,
    );
  });

  it('holds seconds per month: a job that fits only at acceptance fails after measuring, at no cost', async () => {
    await configure('ts', [['tenant.secondsPerMonth', '10']]);
    await waiting(avatarRequest({ id: 'u1', tenantId: 'ts' }));
    const before = t.app.emulator?.stats().creates ?? 0;
    const { jobId } = await t.app.service.submit(avatarRequest({ id: 'u2', tenantId: 'ts' }));
    const final = await adapter.finished(jobId);
    expect(final.phase).toBe('failed');
    expect(final.error).toMatchObject({ code: 'LIMIT_TENANT_SECONDS_PER_MONTH', charged: false });
    expect(final.text).toContain('This video needs 7 s, but 3 s are left of this team’s 10 s per month.');
    expect(t.app.emulator?.stats().creates ?? 0).toBe(before);
    // Its hold is gone: the team again has room for a short job.
    const report = await t.app.service.usage(admin('ts'));
    expect(report.team?.heldSeconds).toBeCloseTo(6.7, 5);
  });
});

describe('access', () => {
  it('refuses a banned user, even an admin', async () => {
    await t.app.service.changeSettings(admin('acc'), { action: 'ban', user: 'troll' });
    expect((await refusal(avatarRequest({ id: 'troll', tenantId: 'acc' }))).code).toBe('ACCESS_BANNED');
    expect((await refusal(avatarRequest({ id: 'troll', tenantId: 'acc', isAdmin: true }))).code).toBe(
      'ACCESS_BANNED',
    );
    await t.app.service.changeSettings(admin('acc'), { action: 'unban', user: 'troll' });
    await waiting(avatarRequest({ id: 'troll', tenantId: 'acc' }));
  });

  it('refuses channels that are not allowed, and requests that do not say their channel', async () => {
    await configure('chan', [['channels', 'c-ok']]);
    const other = await refusal(avatarRequest({ id: 'u1', tenantId: 'chan' }, { channelId: 'c-no' }));
    expect(other.code).toBe('ACCESS_CHANNEL');
    expect(describeError('en', other)).toBe(
      'The bot is not enabled in this channel. Ask an admin which channels it works in.',
    );
    expect((await refusal(avatarRequest({ id: 'u1', tenantId: 'chan' }))).code).toBe('ACCESS_CHANNEL');
    await waiting(avatarRequest({ id: 'u1', tenantId: 'chan' }, { channelId: 'c-ok' }));
  });

  it('lets only allowed roles in, and keeps pro for its roles', async () => {
    await configure('roles', [
      ['roles', 'member, pro-member'],
      ['proRoles', 'pro-member'],
    ]);
    expect((await refusal(avatarRequest({ id: 'u1', tenantId: 'roles' }))).code).toBe('ACCESS_ROLE');
    const pro = await refusal(
      avatarRequest({ id: 'u1', tenantId: 'roles', roles: ['member'] }, { mode: 'pro' }),
    );
    expect(pro.code).toBe('ACCESS_PRO_ROLE');
    expect(describeError('en', pro)).toBe(
      'pro mode is reserved for some roles here. Use std mode, or ask an admin.',
    );
    await waiting(avatarRequest({ id: 'u1', tenantId: 'roles', roles: ['member'] }));
    await waiting(avatarRequest({ id: 'u2', tenantId: 'roles', roles: ['pro-member'] }, { mode: 'pro' }));
    await waiting(avatarRequest({ id: 'u3', tenantId: 'roles', isAdmin: true }, { mode: 'pro' }));
  });

  it('keeps settings for admins', async () => {
    const member: Requester = { id: 'u1', displayName: 'U1', tenantId: 'roles' };
    await expect(t.app.service.viewSettings(member)).rejects.toMatchObject({ code: 'ADMIN_ONLY' });
    await expect(
      t.app.service.changeSettings(member, { action: 'set', name: 'user.perDay', value: '999' }),
    ).rejects.toMatchObject({ code: 'ADMIN_ONLY' });
    await configure('roles', [['adminRoles', 'mods']]);
    const mod: Requester = { ...member, roles: ['mods'] };
    expect((await t.app.service.viewSettings(mod)).settings.adminRoles).toEqual(['mods']);
  });
});
