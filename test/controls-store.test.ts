// The team controls' storage contract (settings, budgets and the usage ledger, consent records), run
// against the embedded SQLite file and a real redis-server, like the job store contract.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConsentRecords } from '../src/controls/consent.js';
import { Budgets } from '../src/controls/limits.js';
import { SettingsStore } from '../src/controls/settings.js';
import type { TenantSettings } from '../src/controls/types.js';
import { UsageLedger } from '../src/controls/usage.js';
import { InputError } from '../src/errors.js';
import type { JobStore } from '../src/jobs/job-store.js';
import { openJobStore } from '../src/jobs/open-store.js';
import { type RedisHandle, startRedis } from './helpers/redis-server.js';

const config = loadConfig({ DATA_DIR: '/tmp/unused', LOG_LEVEL: 'silent' });
const JUNE_2 = Date.UTC(2025, 5, 2, 15, 30);

function controlsContract(name: string, open: () => Promise<JobStore>, teardown: () => Promise<void>) {
  describe(`team controls storage: ${name}`, () => {
    let store: JobStore;
    let settings: SettingsStore;
    let ledger: UsageLedger;
    let budgets: Budgets;
    beforeAll(async () => {
      store = await open();
      settings = new SettingsStore(store.kv('settings'), config);
      ledger = new UsageLedger(store.kv('usage'), (name, work) => store.lock(name, work));
      budgets = new Budgets(ledger, () => JUNE_2);
    });
    afterAll(async () => {
      await store.close();
      await teardown();
    });

    const admit = (tenantId: string, jobId: string, s: TenantSettings, userId = 'u1', channelId = 'c1') =>
      budgets.admit({
        tenantId,
        jobId,
        userId,
        displayName: userId.toUpperCase(),
        channelId,
        mode: 'std',
        settings: s,
        minSeconds: 2,
        exists: async () => false,
        commit: async () => undefined,
        now: JUNE_2,
      });

    it('stores only changed settings on top of the configuration defaults', async () => {
      expect((await settings.get('t-set')).confirmThresholdUsd).toBe(0.5);
      await settings.set('t-set', 'confirm.threshold', '1.25', 'admin');
      await settings.set('t-set', 'roles', '<@&111>, 222', 'admin');
      await settings.setUserLimit('t-set', 'u9', 'user.perDay', '2', 'admin');
      await settings.setBanned('t-set', 'bad', true, 'admin');
      const s = await settings.get('t-set');
      expect(s).toMatchObject({
        confirmThresholdUsd: 1.25,
        allowedRoles: ['111', '222'],
        banned: ['bad'],
        users: { u9: { perDay: 2 } },
      });
      expect([...(await settings.changed('t-set'))].sort()).toEqual(['banned', 'confirm.threshold', 'roles']);
      await settings.reset('t-set', 'confirm.threshold', 'admin');
      expect((await settings.get('t-set')).confirmThresholdUsd).toBe(0.5);
      expect((await settings.get('other')).allowedRoles).toEqual([]);
    });

    it('refuses unknown settings and bad values with what is expected', async () => {
      await expect(settings.set('t-set', 'colour', 'red', 'a')).rejects.toMatchObject({
        code: 'SETTING_UNKNOWN',
      });
      await expect(settings.set('t-set', 'user.perDay', '-1', 'a')).rejects.toMatchObject({
        code: 'SETTING_INVALID',
        params: { expected: 'settings.expect.limit' },
      });
      await expect(settings.set('t-set', 'mode', 'ultra', 'a')).rejects.toBeInstanceOf(InputError);
    });

    it('lets exactly the budget through when 50 admissions race', async () => {
      const s = {
        ...(await settings.get('t-race')),
        user: { concurrent: 0, perDay: 10, secondsPerMonth: 0 },
      };
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => admit('t-race', `j${i}`, s)),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
      const refusals = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(new Set(refusals.map((r) => (r.reason as InputError).code))).toEqual(
        new Set(['LIMIT_USER_PER_DAY']),
      );
      expect(Object.keys(await ledger.active('t-race'))).toHaveLength(10);
      expect((await ledger.month('t-race', '2025-06')).days['2025-06-02']?.accepted).toBe(10);
    });

    it('settles to the actual seconds, releases without cost, and sums by user, channel and day', async () => {
      const s = await settings.get('t-sum');
      await admit('t-sum', 'a', s, 'u1', 'c1');
      await admit('t-sum', 'b', s, 'u2', 'c1');
      await admit('t-sum', 'c', s, 'u1', 'c2');
      await budgets.hold('t-sum', 'a', 6.7, s);
      await budgets.end('t-sum', 'a', { kind: 'settle', seconds: 6.5, usd: 6.5 * 0.056 });
      await budgets.end('t-sum', 'b', { kind: 'settle', seconds: 10, usd: 1.12 });
      await budgets.end('t-sum', 'c', { kind: 'release' });
      expect(await budgets.end('t-sum', 'c', { kind: 'release' })).toBeUndefined(); // idempotent
      const june = await ledger.month('t-sum', '2025-06');
      expect(june.total).toEqual({ jobs: 2, seconds: 16.5, usd: 1.484 });
      expect(june.byUser.u1).toEqual({ jobs: 1, seconds: 6.5, usd: 0.364 });
      expect(june.byChannel.c1?.jobs).toBe(2);
      expect(june.byChannel.c2).toBeUndefined();
      expect(june.days['2025-06-02']).toMatchObject({ accepted: 2, byUser: { u1: 1, u2: 1 } });
      expect(june.names).toEqual({ u1: 'U1', u2: 'U2' });
      expect(await ledger.active('t-sum')).toEqual({});
    });

    it('keeps team totals and drops the person when a user is anonymised', async () => {
      await ledger.lock('t-sum', () => ledger.anonymise('t-sum', '2025-06', 'u1'));
      const june = await ledger.month('t-sum', '2025-06');
      expect(june.byUser.u1).toBeUndefined();
      expect(june.byUser['~forgotten']).toEqual({ jobs: 1, seconds: 6.5, usd: 0.364 });
      expect(june.total.seconds).toBe(16.5);
      expect(june.names.u1).toBeUndefined();
      expect(june.days['2025-06-02']?.byUser.u1).toBeUndefined();
      expect(june.days['2025-06-02']?.accepted).toBe(2);
    });

    it('keeps the first consent answer and forgets it on request', async () => {
      const consent = new ConsentRecords(store.kv('consent'));
      await consent.record('u1', { at: 1, via: 'prompt', jobId: 'first' });
      await consent.record('u1', { at: 2, via: 'request' });
      expect(await consent.get('u1')).toEqual({ at: 1, via: 'prompt', jobId: 'first' });
      expect(await consent.forget('u1')).toBe(true);
      expect(await consent.get('u1')).toBeUndefined();
    });
  });
}

let dir = '';
controlsContract(
  'sqlite file',
  async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'controls-'));
    return openJobStore(`sqlite://${path.join(dir, 'bot.sqlite')}`);
  },
  () => rm(dir, { recursive: true, force: true }),
);

let redis: RedisHandle | undefined;
controlsContract(
  'redis-server',
  async () => {
    redis = await startRedis();
    return openJobStore(redis.url);
  },
  async () => {
    await redis?.stop();
  },
);

describe('team budgets across instances on one Redis', () => {
  it('three instances racing 60 admissions let exactly the budget through and lose no hold', async () => {
    const server = await startRedis();
    // Each "instance" opens its own store, with its own connections, as separate processes would.
    const stores = await Promise.all([0, 1, 2].map(() => openJobStore(server.url)));
    try {
      const ledgers = stores.map((s) => new UsageLedger(s.kv('usage'), (name, work) => s.lock(name, work)));
      const settings = new SettingsStore((stores[0] as JobStore).kv('settings'), config);
      const unlimited = { concurrent: 0, perDay: 0, secondsPerMonth: 0 };
      const s = {
        ...(await settings.get('t-x')),
        user: { ...unlimited, perDay: 25 },
        tenant: unlimited,
      };
      const results = await Promise.allSettled(
        Array.from({ length: 60 }, (_, i) =>
          new Budgets(ledgers[i % 3] as UsageLedger, () => JUNE_2).admit({
            tenantId: 't-x',
            jobId: `x${i}`,
            userId: 'u1',
            displayName: 'U1',
            mode: 'std',
            settings: s,
            minSeconds: 2,
            exists: async () => false,
            commit: async () => undefined,
            now: JUNE_2,
          }),
        ),
      );
      const admitted = results.filter((r) => r.status === 'fulfilled');
      expect(admitted).toHaveLength(25);
      // A lost update would leave fewer holds than admissions (the bug a per-process lock had).
      expect(Object.keys(await (ledgers[1] as UsageLedger).active('t-x'))).toHaveLength(25);
      expect((await (ledgers[2] as UsageLedger).month('t-x', '2025-06')).days['2025-06-02']?.accepted).toBe(
        25,
      );
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await server.stop();
    }
  });
});
