// One contract suite for the job store, run against the embedded SQLite file and a real redis-server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../src/jobs/job.js';
import { JobEndedError, type JobStore } from '../src/jobs/job-store.js';
import { openJobStore } from '../src/jobs/open-store.js';
import { type RedisHandle, startRedis } from './helpers/redis-server.js';

function makeJob(id: string, token = `tok-${id}-0123456789abcdef`): Job {
  const now = Date.now();
  return {
    id,
    idempotencyKey: `key-${id}`,
    state: 'accepted',
    createdAt: now,
    updatedAt: now,
    requester: { id: 'u1', displayName: 'Ada' },
    replyTo: { adapter: 'test', address: { channel: 'c1' } },
    mode: 'std',
    prompt: 'hello',
    input: { image: { name: 'face.jpg', source: 'face.jpg' } },
    callbackToken: token,
  };
}

function storeContract(name: string, open: () => Promise<JobStore>, teardown: () => Promise<void>) {
  describe(`job store contract: ${name}`, () => {
    let store: JobStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store.close();
      await teardown();
    });

    it('inserts once and returns the stored job for a duplicate id', async () => {
      const first = await store.insert(makeJob('j-dup'));
      const second = await store.insert({ ...makeJob('j-dup'), prompt: 'other' });
      expect(first.inserted).toBe(true);
      expect(second.inserted).toBe(false);
      expect(second.job.prompt).toBe('hello');
    });

    it('serialises concurrent inserts of the same id into one job', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => store.insert(makeJob('j-race'))));
      expect(results.filter((r) => r.inserted)).toHaveLength(1);
    });

    it('updates with read-modify-write and never loses a concurrent change', async () => {
      await store.insert(makeJob('j-upd'));
      await Promise.all(
        Array.from({ length: 25 }, () =>
          store.update('j-upd', (j) => {
            j.kling = { polls: (j.kling?.polls ?? 0) + 1 };
          }),
        ),
      );
      expect((await store.get('j-upd'))?.kling?.polls).toBe(25);
    });

    it('throws when updating a job that does not exist', async () => {
      await expect(store.update('missing', () => undefined)).rejects.toThrow(/not found/);
    });

    it('finds a job by its callback token and not by a wrong one', async () => {
      await store.insert(makeJob('j-cb', 'secret-token-abcdefghijkl'));
      expect((await store.findByCallbackToken('secret-token-abcdefghijkl'))?.id).toBe('j-cb');
      expect(await store.findByCallbackToken('secret-token-abcdefghijkX')).toBeUndefined();
    });

    it('lists unfinished jobs only, and drops them once terminal', async () => {
      await store.insert(makeJob('j-live'));
      await store.insert(makeJob('j-done'));
      await store.update('j-done', (j) => {
        j.state = 'delivered';
      });
      const ids = (await store.listUnfinished()).map((j) => j.id);
      expect(ids).toContain('j-live');
      expect(ids).not.toContain('j-done');
    });

    it('keeps media entries until they expire', async () => {
      await store.putMedia('media-token-1', {
        path: '/x.mp4',
        contentType: 'video/mp4',
        jobId: 'j',
        expiresAt: Date.now() + 60_000,
      });
      await store.putMedia('media-token-2', {
        path: '/y.mp4',
        contentType: 'video/mp4',
        jobId: 'j',
        expiresAt: Date.now() + 30,
      });
      await new Promise((r) => setTimeout(r, 80));
      expect((await store.getMedia('media-token-1'))?.path).toBe('/x.mp4');
      expect(await store.getMedia('media-token-2')).toBeUndefined();
    });

    it('answers a ping', async () => {
      expect(await store.ping()).toBe(true);
    });

    it('never moves a terminal job to another state', async () => {
      await store.insert(makeJob('j-ended'));
      await store.update('j-ended', (j) => {
        j.state = 'cancelled';
      });
      await expect(
        store.update('j-ended', (j) => {
          j.state = 'prepared';
        }),
      ).rejects.toBeInstanceOf(JobEndedError);
      // Other fields of an ended job can still change (retention, spend).
      await store.update('j-ended', (j) => {
        j.prompt = 'scrubbed';
      });
      expect(await store.get('j-ended')).toMatchObject({ state: 'cancelled', prompt: 'scrubbed' });
      expect((await store.listUnfinished()).map((j) => j.id)).not.toContain('j-ended');
    });

    it('removes a job with its callback token', async () => {
      await store.insert(makeJob('j-gone', 'gone-token-abcdefghijklmn'));
      await store.remove('j-gone');
      expect(await store.get('j-gone')).toBeUndefined();
      expect(await store.findByCallbackToken('gone-token-abcdefghijklmn')).toBeUndefined();
      expect((await store.listUnfinished()).map((j) => j.id)).not.toContain('j-gone');
      await store.remove('j-gone'); // removing twice is harmless
    });

    it('keeps key/value namespaces apart from each other and from the jobs', async () => {
      const a = store.kv('settings');
      const b = store.kv('usage');
      await a.set('t1', { mode: 'pro' });
      await b.set('t1', { seconds: 12.5 });
      expect(await a.get('t1')).toEqual({ mode: 'pro' });
      expect(await b.get('t1')).toEqual({ seconds: 12.5 });
      expect(await store.kv('settings').get('t1')).toEqual({ mode: 'pro' });
      expect(await a.get('j-dup')).toBeUndefined();
      await a.delete('t1');
      expect(await a.get('t1')).toBeUndefined();
      expect(await b.get('t1')).toEqual({ seconds: 12.5 });
      expect(() => store.kv('jobs')).toThrow(/namespace/);
      expect(() => store.kv('Bad Name')).toThrow(/namespace/);
    });

    it('lets key/value entries expire', async () => {
      const kv = store.kv('consent');
      await kv.set('short', 1, 30);
      await kv.set('long', 2, 60_000);
      await new Promise((r) => setTimeout(r, 80));
      expect(await kv.get('short')).toBeUndefined();
      expect(await kv.get('long')).toBe(2);
    });
  });
}

let dir = '';
storeContract(
  'sqlite file',
  async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'store-'));
    return openJobStore(`sqlite://${path.join(dir, 'jobs.sqlite')}`);
  },
  async () => {
    await rm(dir, { recursive: true, force: true });
  },
);

let redis: RedisHandle | undefined;
storeContract(
  'redis-server',
  async () => {
    redis = await startRedis();
    return openJobStore(redis.url);
  },
  async () => {
    await redis?.stop();
  },
);

describe('sqlite store durability', () => {
  it('keeps jobs and key/value entries across a close and reopen of the same file', async () => {
    const d = await mkdtemp(path.join(tmpdir(), 'store-'));
    const file = `sqlite://${path.join(d, 'jobs.sqlite')}`;
    const a = await openJobStore(file);
    await a.insert(makeJob('j-persist'));
    await a.kv('settings').set('t', { mode: 'pro' });
    await a.close();
    const b = await openJobStore(file);
    expect((await b.listUnfinished()).map((j) => j.id)).toEqual(['j-persist']);
    expect(await b.kv('settings').get('t')).toEqual({ mode: 'pro' });
    await b.close();
    await rm(d, { recursive: true, force: true });
  });
});
