// Kling emulator callbacks and scripted task failures: status order, duplicates, late delivery,
// callbacks before the create answer, failNextTasks, and targets that fail without hurting anything.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KlingEmulator } from '../src/kling/emulator/server.js';
import {
  api,
  type Fixtures,
  makeFixtures,
  startCallbackReceiver,
  startTestEmulator,
  waitFor,
} from './emulator-helpers.js';

const CREATE = '/kling/v1/videos/avatar/image2video';

let dir: string;
let fx: Fixtures;
let emu: KlingEmulator;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kling-emu-cb-'));
  fx = await makeFixtures(dir);
  emu = await startTestEmulator(dir, { seed: 11 });
});

afterEach(async () => {
  emu.resetFaults();
  await Promise.all(closers.splice(0).map((close) => close()));
});

afterAll(async () => {
  await emu?.close();
  await rm(dir, { recursive: true, force: true });
});

async function receiver(status = 200) {
  const r = await startCallbackReceiver(status);
  closers.push(r.close);
  return r;
}

const body = (callbackUrl: string, extra: Record<string, unknown> = {}) => ({
  image: fx.face.toString('base64'),
  sound_file: fx.voice.toString('base64'),
  prompt: 'Smiles and talks',
  callback_url: callbackUrl,
  ...extra,
});

const statuses = (received: Array<{ body: Record<string, unknown> }>) =>
  received.map((r) => r.body.task_status);

describe('callbacks', () => {
  it('posts the flat task object for submitted, processing and succeed, in order', async () => {
    const hook = await receiver();
    const sentBefore = emu.stats().callbacksSent;
    const created = await api(emu.url, CREATE, {
      body: body(`${hook.url}/hook?token=s3cret`, { external_task_id: 'cb-1' }),
    });
    expect(created.status).toBe(200);
    await waitFor(() => (hook.received.length >= 3 ? true : undefined));
    await waitFor(() => (emu.stats().callbacksSent - sentBefore >= 3 ? true : undefined));
    expect(statuses(hook.received)).toEqual(['submitted', 'processing', 'succeed']);
    for (const { body: payload, contentType } of hook.received) {
      expect(contentType).toMatch(/^application\/json/);
      expect(payload).not.toHaveProperty('code');
      expect(payload).not.toHaveProperty('data');
      expect(payload).toMatchObject({
        task_id: created.json.data.task_id,
        task_info: { external_task_id: 'cb-1' },
        created_at: created.json.data.created_at,
      });
    }
    const last = hook.received[2]?.body as {
      task_result: { videos: Array<{ url: string; duration: string }> };
    };
    expect(last.task_result.videos[0]?.url).toMatch(/\/emulator\/files\/.+\.mp4$/);
    const query = await api(emu.url, `${CREATE}/cb-1`);
    expect(query.json.data).toEqual(hook.received[2]?.body);
  });

  it('sends every callback twice when duplicateCallbacks is on', async () => {
    const hook = await receiver();
    emu.setFaults({ duplicateCallbacks: true });
    await api(emu.url, CREATE, { body: body(hook.url) });
    await waitFor(() => (hook.received.length >= 6 ? true : undefined));
    expect(statuses(hook.received)).toEqual([
      'submitted',
      'submitted',
      'processing',
      'processing',
      'succeed',
      'succeed',
    ]);
  });

  it('delivers the submitted callback before the create answer when asked to', async () => {
    const hook = await receiver();
    emu.setFaults({ callbackBeforeCreateResponse: true });
    const created = await api(emu.url, CREATE, { body: body(hook.url) });
    const answeredAt = Date.now();
    expect(created.json.data.task_status).toBe('submitted');
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]?.body.task_status).toBe('submitted');
    expect(hook.received[0]?.at).toBeLessThanOrEqual(answeredAt);
  });

  it('delays callbacks so polling sees the result before the callback arrives', async () => {
    const hook = await receiver();
    emu.setFaults({ callbackDelayMs: 400 });
    const created = await api(emu.url, CREATE, { body: body(hook.url) });
    await waitFor(async () => {
      const res = await api(emu.url, `${CREATE}/${created.json.data.task_id}`);
      return res.json.data.task_status === 'succeed' ? true : undefined;
    });
    expect(statuses(hook.received)).not.toContain('succeed');
    await waitFor(() => (hook.received.length >= 3 ? true : undefined));
    expect(statuses(hook.received)).toEqual(['submitted', 'processing', 'succeed']);
  });

  it('survives callback targets that fail or do not exist, and counts them', async () => {
    const broken = await receiver(500);
    const before = emu.stats();
    const a = await api(emu.url, CREATE, { body: body(broken.url) });
    const b = await api(emu.url, CREATE, { body: body('http://127.0.0.1:9/nothing-listens-here') });
    for (const id of [a.json.data.task_id, b.json.data.task_id]) {
      const done = await waitFor(async () => {
        const res = await api(emu.url, `${CREATE}/${id}`);
        return res.json.data.task_status === 'succeed' ? res : undefined;
      });
      expect(done.json.code).toBe(0);
    }
    await waitFor(() => (emu.stats().callbacksFailed - before.callbacksFailed >= 6 ? true : undefined));
    expect(broken.received).toHaveLength(3);
    expect((await api(emu.url, '/emulator/stats')).status).toBe(200);
  });
});

describe('failNextTasks', () => {
  it('fails exactly the next N tasks with the configured message, then succeeds again', async () => {
    const hook = await receiver();
    emu.setFaults({ failNextTasks: 1, failMessage: 'Content-security policy triggered' });
    const failing = await api(emu.url, CREATE, { body: body(hook.url) });
    const fine = await api(emu.url, CREATE, { body: body(hook.url) });
    const final = async (id: string) =>
      waitFor(async () => {
        const res = await api(emu.url, `${CREATE}/${id}`);
        return ['succeed', 'failed'].includes(res.json.data.task_status) ? res.json : undefined;
      });
    const failed = await final(failing.json.data.task_id);
    expect(failed.code).toBe(0);
    expect(failed.data).toMatchObject({
      task_status: 'failed',
      task_status_msg: 'Content-security policy triggered',
      task_result: {},
      final_unit_deduction: '0',
    });
    expect((await final(fine.json.data.task_id)).data.task_status).toBe('succeed');
    await waitFor(() =>
      hook.received.some(
        (r) => r.body.task_status === 'failed' && r.body.task_id === failing.json.data.task_id,
      )
        ? true
        : undefined,
    );
    const failedHook = hook.received.find((r) => r.body.task_status === 'failed');
    expect(failedHook?.body.task_status_msg).toBe('Content-security policy triggered');
  });

  it('uses the documented default failure message', async () => {
    emu.setFaults({ failNextTasks: 1 });
    const created = await api(emu.url, CREATE, { body: body('http://127.0.0.1:9/') });
    const res = await waitFor(async () => {
      const q = await api(emu.url, `${CREATE}/${created.json.data.task_id}`);
      return q.json.data.task_status === 'failed' ? q : undefined;
    });
    expect(res.json.data.task_status_msg).toBe('Failure to pass the risk control system');
  });
});
