// Secrets and log hygiene across a whole job against a key-protected emulator: the CometAPI key never
// appears in any log line, job record or user-facing text — even when the provider echoes it back —
// and every log line written while a job runs carries that job's id.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttachmentRef } from '../src/core/types.js';
import type { KlingEmulator } from '../src/kling/emulator/server.js';
import { createLogger } from '../src/logger.js';
import { startTestEmulator } from './emulator-helpers.js';
import { RecordingAdapter } from './helpers/recording-adapter.js';
import { SAMPLE_FACE, SAMPLE_VOICE, startTestApp, type TestApp } from './helpers/test-app.js';

const SECRET = 'sk-live-DO-NOT-LEAK-4f9a8b7c6d5e';

function ref(file: string): AttachmentRef {
  return { name: path.basename(file), source: file, fetch: () => readFile(file) };
}

describe('secrets and job-tagged logs', () => {
  let emulator: KlingEmulator;
  let t: TestApp;
  let root: string;
  const lines: string[] = [];
  const adapter = new RecordingAdapter();

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'secrets-'));
    emulator = await startTestEmulator(root, { apiKey: SECRET, processingMs: 300 });
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const logger = createLogger({ level: 'debug', format: 'json', secrets: [SECRET], destination: sink });
    t = await startTestApp({ env: { COMETAPI_KEY: SECRET, COMETAPI_BASE_URL: emulator.url }, logger });
    t.app.service.registerAdapter(adapter);
  });
  afterAll(async () => {
    await t.close();
    await emulator.close();
    await rm(root, { recursive: true, force: true });
  });

  it('completes a job without the key in any log line or record', async () => {
    const { jobId } = await t.app.service.submit({
      idempotencyKey: 'secrets:1',
      requester: { id: 'u1', displayName: 'Ada' },
      replyTo: { adapter: 'recording', address: {} },
      image: ref(SAMPLE_FACE),
      voice: ref(SAMPLE_VOICE),
    });
    expect((await adapter.finished(jobId)).phase).toBe('delivered');
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.join('\n')).not.toContain(SECRET);
    expect(JSON.stringify(await t.app.service.getJob(jobId))).not.toContain(SECRET);
  });

  it('scrubs the key when the provider echoes it in an error', async () => {
    emulator.setFaults({
      nextCreateError: {
        status: 400,
        body: { code: 1201, message: `Invalid key ${SECRET} for this model`, request_id: 'r-echo' },
      },
    });
    const { jobId } = await t.app.service.submit({
      idempotencyKey: 'secrets:2',
      requester: { id: 'u1', displayName: 'Ada' },
      replyTo: { adapter: 'recording', address: {} },
      image: ref(SAMPLE_FACE),
      voice: ref(SAMPLE_VOICE),
    });
    const final = await adapter.finished(jobId);
    expect(final.phase).toBe('failed');
    expect(final.error?.code).toBe('KLING_INVALID_REQUEST');
    expect(final.text).not.toContain(SECRET);
    expect(JSON.stringify(await t.app.service.getJob(jobId))).not.toContain(SECRET);
    expect(lines.join('\n')).not.toContain(SECRET);
  });

  it('tags every log line written during a job with its id', async () => {
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const jobLines = parsed.filter(
      (l) => l.component === 'kling' || /job|task|poll|deliver/.test(String(l.msg)),
    );
    expect(jobLines.length).toBeGreaterThan(3);
    const untagged = jobLines.filter(
      (l) => typeof l.jobId !== 'string' && l.msg !== 'resuming unfinished jobs',
    );
    expect(untagged).toEqual([]);
  });
});
