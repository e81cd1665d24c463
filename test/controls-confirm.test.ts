// Confirmation before spending and consent for faces, end to end against the emulator: confirm leads
// to one task, cancel and expiry to none and no cost, only the requester (or an admin of the same
// team) may answer, the first face asks for consent and later ones do not, and a restart keeps the
// confirmation deadline.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Requester } from '../src/core/types.js';
import { avatarRequest } from './helpers/avatar-request.js';
import { RecordingAdapter } from './helpers/recording-adapter.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const ENV = { CONSENT_REQUIRED: 'true', CONFIRM_PRO: 'true', CONFIRM_TTL_MINUTES: '0.05' };
let t: TestApp;
let adapter: RecordingAdapter;

beforeAll(async () => {
  t = await startTestApp({ env: ENV });
  adapter = new RecordingAdapter();
  t.app.service.registerAdapter(adapter);
  await t.app.service.changeSettings(boss('price'), {
    action: 'set',
    name: 'confirm.threshold',
    value: '0.1',
  });
});
afterAll(async () => {
  await t.close();
});

function boss(tenantId: string): Requester {
  return { id: 'boss', displayName: 'Boss', tenantId, isAdmin: true };
}
const creates = (jobId: string) => t.app.emulator?.stats().createsByExternalId[jobId] ?? 0;
/** A std request of the 6.7 s sample (US$ 0.37) in the 'price' team, whose threshold is US$ 0.10. */
const priced = (id = 'ann') => avatarRequest({ id, tenantId: 'price' }, { consentGiven: true });

describe('confirmation before spending', () => {
  it('shows the price and waits; confirming submits exactly once', async () => {
    const { jobId } = await t.app.service.submit(priced());
    const asked = await adapter.waitFor(jobId, 'awaiting_confirmation');
    expect(asked.actions).toEqual(['confirm', 'cancel']);
    expect(asked.estimatedCost).toBeCloseTo(0.375, 2);
    expect(asked.text).toMatch(
      /^Estimated cost US\$ 0\.37 \(6\.7 s of speech, std mode\)\. Confirm to start/,
    );
    expect(asked.expiresAt).toBeGreaterThan(Date.now());
    expect(creates(jobId)).toBe(0);
    await t.app.service.confirm(jobId, 'ann');
    expect((await adapter.finished(jobId)).phase).toBe('delivered');
    expect(creates(jobId)).toBe(1);
    expect((await t.app.service.getJob(jobId))?.controls?.confirmed?.by).toBe('ann');
  });

  it('lets only the requester or an admin of the same team answer', async () => {
    const { jobId } = await t.app.service.submit(priced());
    await adapter.waitFor(jobId, 'awaiting_confirmation');
    await expect(t.app.service.confirm(jobId, 'mallory')).rejects.toMatchObject({ code: 'JOB_NOT_YOURS' });
    await expect(t.app.service.cancel(jobId, { id: 'mallory', tenantId: 'price' })).rejects.toMatchObject({
      code: 'JOB_NOT_YOURS',
    });
    await expect(t.app.service.cancel(jobId, boss('elsewhere'))).rejects.toMatchObject({
      code: 'JOB_NOT_YOURS',
    });
    const cancelled = await t.app.service.cancel(jobId, boss('price'));
    expect(cancelled.state).toBe('cancelled');
    expect((await adapter.waitFor(jobId, 'cancelled')).text).toBe(
      'Not made: Cancelled by Boss. Nothing was charged.',
    );
  });

  it('cancels without a task or any cost, and only once', async () => {
    const { jobId } = await t.app.service.submit(priced('cat'));
    await adapter.waitFor(jobId, 'awaiting_confirmation');
    await t.app.service.cancel(jobId, 'cat');
    const update = await adapter.waitFor(jobId, 'cancelled');
    expect(update.error).toMatchObject({ code: 'JOB_CANCELLED', charged: false });
    await expect(t.app.service.cancel(jobId, 'cat')).rejects.toMatchObject({ code: 'JOB_ALREADY_ENDED' });
    await expect(t.app.service.confirm(jobId, 'cat')).rejects.toMatchObject({ code: 'JOB_ALREADY_ENDED' });
    const job = await t.app.service.getJob(jobId);
    expect(job?.controls?.spend).toMatchObject({ seconds: 0, usd: 0, basis: 'none' });
    const usage = await t.app.service.usage({ id: 'cat', displayName: 'Cat', tenantId: 'price' });
    expect(usage.user).toMatchObject({ totals: { jobs: 0, seconds: 0, usd: 0 }, active: 0, today: 0 });
    await new Promise((r) => setTimeout(r, 300));
    expect(creates(jobId)).toBe(0);
  });

  it('cancels a job that is still being prepared; the runner stops without submitting', async () => {
    const { jobId } = await t.app.service.submit(priced('early'));
    await t.app.service.cancel(jobId, 'early');
    await adapter.waitFor(jobId, 'cancelled');
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await t.app.service.getJob(jobId))?.state).toBe('cancelled');
    expect(adapter.phases(jobId)).not.toContain('awaiting_confirmation');
    expect(creates(jobId)).toBe(0);
  });

  it('expires an unanswered job at its deadline, without a task or cost', async () => {
    const { jobId } = await t.app.service.submit(priced('slow'));
    const asked = await adapter.waitFor(jobId, 'awaiting_confirmation');
    const ended = await adapter.waitFor(jobId, 'cancelled', 10_000);
    expect(ended.error).toMatchObject({ code: 'CONFIRM_EXPIRED', charged: false });
    expect(ended.text).toBe('Not made: It was not confirmed within 1 min. Nothing was charged.');
    expect(Date.now()).toBeGreaterThanOrEqual(asked.expiresAt ?? 0);
    await expect(t.app.service.confirm(jobId, 'slow')).rejects.toMatchObject({ code: 'JOB_ALREADY_ENDED' });
    expect(creates(jobId)).toBe(0);
  });

  it('refuses an answer that comes after the deadline, even before the expiry has run', async () => {
    const { jobId } = await t.app.service.submit(priced('late'));
    await adapter.waitFor(jobId, 'awaiting_confirmation');
    await t.app.store.update(jobId, (j) => {
      if (j.controls?.awaiting) j.controls.awaiting.expiresAt = Date.now() - 1;
    });
    await expect(t.app.service.confirm(jobId, 'late')).rejects.toMatchObject({ code: 'CONFIRM_EXPIRED' });
    await t.app.service.cancel(jobId, 'late');
    expect(creates(jobId)).toBe(0);
  });

  it('always asks for pro unless the team turned that off', async () => {
    await t.app.service.changeSettings(boss('pro'), { action: 'set', name: 'confirm.threshold', value: '5' });
    const pro = avatarRequest({ id: 'pat', tenantId: 'pro' }, { mode: 'pro', consentGiven: true });
    const { jobId } = await t.app.service.submit(pro);
    expect((await adapter.waitFor(jobId, 'awaiting_confirmation')).text).toContain('pro mode');
    await t.app.service.cancel(jobId, 'pat');
    await t.app.service.changeSettings(boss('pro'), { action: 'set', name: 'confirm.pro', value: 'off' });
    const again = await t.app.service.submit(
      avatarRequest({ id: 'pat', tenantId: 'pro' }, { mode: 'pro', consentGiven: true }),
    );
    expect((await adapter.finished(again.jobId)).phase).toBe('delivered');
    expect(adapter.phases(again.jobId)).not.toContain('awaiting_confirmation');
  });
});

describe('consent for faces', () => {
  it('asks on the first face, records the answer with the job, and does not ask again', async () => {
    const first = await t.app.service.submit(avatarRequest({ id: 'newbie', tenantId: 'team' }));
    const asked = await adapter.waitFor(first.jobId, 'awaiting_confirmation');
    expect(asked.actions).toEqual(['consent', 'cancel']);
    expect(asked.text).toContain('confirm that you are the person in the photo or have their consent');
    await expect(t.app.service.confirm(first.jobId, 'newbie')).rejects.toMatchObject({
      code: 'CONSENT_NEEDED',
    });
    await expect(t.app.service.giveConsent(first.jobId, boss('team'))).rejects.toMatchObject({
      code: 'JOB_NOT_YOURS',
    });
    expect(await t.app.service.giveConsent(first.jobId, 'newbie')).toEqual({ started: [first.jobId] });
    expect((await adapter.finished(first.jobId)).phase).toBe('delivered');
    expect((await t.app.service.getJob(first.jobId))?.controls?.consent?.via).toBe('prompt');
    expect(await t.app.service.controls.consent.get('newbie')).toMatchObject({
      via: 'prompt',
      jobId: first.jobId,
    });

    const second = await t.app.service.submit(avatarRequest({ id: 'newbie', tenantId: 'other-team' }));
    expect((await adapter.finished(second.jobId)).phase).toBe('delivered');
    expect(adapter.phases(second.jobId)).not.toContain('awaiting_confirmation');
    expect((await t.app.service.getJob(second.jobId))?.controls?.consent?.via).toBe('record');
  });

  it('takes consent given in the request itself, and cancels when it is declined', async () => {
    const given = await t.app.service.submit(avatarRequest({ id: 'form' }, { consentGiven: true }));
    expect((await adapter.finished(given.jobId)).phase).toBe('delivered');
    expect((await t.app.service.getJob(given.jobId))?.controls?.consent?.via).toBe('request');

    const { jobId } = await t.app.service.submit(avatarRequest({ id: 'shy' }));
    await adapter.waitFor(jobId, 'awaiting_confirmation');
    await t.app.service.declineConsent(jobId, 'shy');
    const update = await adapter.waitFor(jobId, 'cancelled');
    expect(update.text).toBe(
      'Not made: Consent for the face in the photo was not given. Nothing was charged.',
    );
    expect(await t.app.service.controls.consent.get('shy')).toBeUndefined();
  });
});

describe('restarts', () => {
  it('keep the confirmation deadline of a waiting job', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'confirm-restart-'));
    try {
      const first = await startTestApp({ dir, env: ENV });
      const before = new RecordingAdapter();
      first.app.service.registerAdapter(before);
      const { jobId } = await first.app.service.submit(avatarRequest({ id: 'rex' }));
      const asked = await before.waitFor(jobId, 'awaiting_confirmation');
      await first.close();

      const second = await startTestApp({ dir, env: ENV });
      const after = new RecordingAdapter();
      second.app.service.registerAdapter(after);
      expect(await second.app.service.resume()).toBe(1);
      const ended = await after.waitFor(jobId, 'cancelled', 10_000);
      expect(ended.error?.code).toBe('CONFIRM_EXPIRED');
      const job = await second.app.service.getJob(jobId);
      // It ended at the first process's deadline, not a fresh one counted from the restart.
      expect(job?.updatedAt).toBeGreaterThanOrEqual(asked.expiresAt ?? 0);
      expect(job?.updatedAt).toBeLessThan((asked.expiresAt ?? 0) + 2_000);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
