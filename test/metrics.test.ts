// GET /metrics end to end against the emulator: Prometheus text with real counts after real jobs (Kling
// operations, errors by code, jobs ended by state, delivery latency), unfinished jobs counted from the
// store at scrape time, the process's default metrics, and a registry of its own per app.
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { avatarRequest } from './helpers/avatar-request.js';
import { RecordingAdapter } from './helpers/recording-adapter.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the sample lines of the text format (label values here never contain quotes or commas). */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
      const [key, quoted] = pair.split('=');
      labels[key ?? ''] = (quoted ?? '').replace(/^"|"$/g, '');
    }
    samples.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample with this name whose labels include `labels`; undefined if none. */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} samples match ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

async function scrape(t: TestApp): Promise<{ contentType: string; text: string; samples: Sample[] }> {
  const res = await request(`${t.app.url}/metrics`);
  expect(res.statusCode).toBe(200);
  const text = await res.body.text();
  return { contentType: String(res.headers['content-type']), text, samples: parse(text) };
}

describe('/metrics', () => {
  let t: TestApp;
  const adapter = new RecordingAdapter();

  beforeAll(async () => {
    // Pro jobs wait for a confirmation, which gives the unfinished-jobs gauge a job that stays put.
    t = await startTestApp({ env: { CONFIRM_PRO: 'true' } });
    t.app.service.registerAdapter(adapter);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(() => {
    t.app.emulator?.resetFaults();
  });

  it('counts one delivered text job: one TTS, one create, its polls, one delivery latency', async () => {
    const { voice: _voice, ...textOnly } = avatarRequest({ id: 'ann' });
    const { jobId } = await t.app.service.submit({
      ...textOnly,
      text: 'Welcome to the team, everyone. Lunch is at noon today.',
    });
    expect((await adapter.finished(jobId)).phase).toBe('delivered');
    const job = await t.app.service.getJob(jobId);

    const { contentType, samples } = await scrape(t);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(value(samples, 'avatar_bot_kling_requests_total', { operation: 'create' })).toBe(1);
    expect(value(samples, 'avatar_bot_kling_requests_total', { operation: 'tts' })).toBe(1);
    expect(value(samples, 'avatar_bot_kling_requests_total', { operation: 'query' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(value(samples, 'avatar_bot_kling_errors_total')).toBeUndefined();
    expect(value(samples, 'avatar_bot_jobs_ended_total', { state: 'delivered', code: 'none' })).toBe(1);

    expect(value(samples, 'avatar_bot_delivery_latency_seconds_count')).toBe(1);
    const seconds = value(samples, 'avatar_bot_delivery_latency_seconds_sum') ?? -1;
    const expected = ((job?.delivery?.deliveredAt ?? 0) - (job?.kling?.lastPollAt ?? 0)) / 1000;
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeCloseTo(expected, 3);
    expect(value(samples, 'avatar_bot_delivery_latency_seconds_bucket', { le: '+Inf' })).toBe(1);

    // Nothing left running: every state reports 0 rather than disappearing.
    for (const state of ['preparing', 'submitted', 'processing', 'delivering'])
      expect(value(samples, 'avatar_bot_jobs_unfinished', { state })).toBe(0);
  });

  it('counts a refused create under its stable code and Kling code, and the failed job', async () => {
    t.app.emulator?.setFaults({
      nextCreateError: { status: 400, body: { code: 1201, message: 'Invalid image', request_id: 'r-1' } },
    });
    const { jobId } = await t.app.service.submit(avatarRequest({ id: 'ann' }));
    const final = await adapter.finished(jobId);
    expect(final.error?.code).toBe('KLING_INVALID_REQUEST');

    const { samples } = await scrape(t);
    expect(
      value(samples, 'avatar_bot_kling_errors_total', {
        operation: 'create',
        code: 'KLING_INVALID_REQUEST',
        kling_code: '1201',
      }),
    ).toBe(1);
    expect(value(samples, 'avatar_bot_kling_requests_total', { operation: 'create' })).toBe(2);
    expect(
      value(samples, 'avatar_bot_jobs_ended_total', { state: 'failed', code: 'KLING_INVALID_REQUEST' }),
    ).toBe(1);
    // The failed job was never delivered, so the latency histogram still holds the first job only.
    expect(value(samples, 'avatar_bot_delivery_latency_seconds_count')).toBe(1);
  });

  it('counts unfinished jobs by state at scrape time, and a cancel as an ended job', async () => {
    const { jobId } = await t.app.service.submit(avatarRequest({ id: 'bob' }, { mode: 'pro' }));
    await adapter.waitFor(jobId, 'awaiting_confirmation');
    let { samples } = await scrape(t);
    expect(value(samples, 'avatar_bot_jobs_unfinished', { state: 'awaiting_confirmation' })).toBe(1);

    await t.app.service.cancel(jobId, { id: 'bob' });
    ({ samples } = await scrape(t));
    expect(value(samples, 'avatar_bot_jobs_unfinished', { state: 'awaiting_confirmation' })).toBe(0);
    expect(value(samples, 'avatar_bot_jobs_ended_total', { state: 'cancelled', code: 'JOB_CANCELLED' })).toBe(
      1,
    );
  });

  it("includes prom-client's default process metrics", async () => {
    const { text, samples } = await scrape(t);
    expect(value(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(value(samples, 'process_start_time_seconds')).toBeGreaterThan(1_600_000_000);
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
  });

  it('keeps each app on a registry of its own', async () => {
    const other = await startTestApp();
    try {
      const { samples } = await scrape(other);
      expect(value(samples, 'avatar_bot_kling_requests_total', { operation: 'create' })).toBeUndefined();
      expect(value(samples, 'avatar_bot_jobs_ended_total', { state: 'delivered' })).toBeUndefined();
      expect(value(samples, 'avatar_bot_delivery_latency_seconds_count')).toBe(0);
      // …while the first app still has its own counts.
      expect(
        value((await scrape(t)).samples, 'avatar_bot_kling_requests_total', { operation: 'create' }),
      ).toBe(2);
    } finally {
      await other.close();
    }
  });
});
