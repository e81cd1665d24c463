// Text to speech: the synchronous answer, the submitted-then-poll path (the poll route is assumed,
// reference §4), failure, the nested voice error and the polling deadline.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { KlingApiError } from '../src/errors.js';
import type { TtsBody } from '../src/kling/client.js';
import {
  type FakeCometApi,
  klingOk,
  startFakeCometApi,
  type TestClient,
  testClient,
  VOICE_NOT_FOUND,
} from './fakes/fake-cometapi.js';

const TTS: TtsBody = {
  text: 'Hello there, this is a test.',
  voice_id: 'oversea_male1',
  voice_language: 'en',
  voice_speed: 1,
};
const TTS_TASK = '861254119619698760';
const AUDIO = { id: '872641035519283211', url: 'https://cdn.example.com/output.mp3', duration: '6.3' };

const ttsData = (status: string, extra: Record<string, unknown> = {}) => ({
  task_id: TTS_TASK,
  task_status: status,
  task_status_msg: '',
  task_result: status === 'succeed' ? { audios: [AUDIO] } : {},
  created_at: 1773367502225,
  updated_at: 1773367504410,
  ...extra,
});

let api: FakeCometApi;
let tc: TestClient;

beforeAll(async () => {
  api = await startFakeCometApi();
});
afterAll(async () => {
  await api.close();
});
afterEach(async () => {
  await tc.close();
  api.reset();
});

describe('synthesizeSpeech', () => {
  test('returns the audio from a synchronous succeed without polling', async () => {
    tc = testClient(api.url);
    api.enqueue(klingOk(ttsData('succeed')));
    const audio = await tc.client.synthesizeSpeech(TTS);
    expect(audio).toEqual({ audioId: AUDIO.id, url: AUDIO.url, durationSeconds: 6.3, taskId: TTS_TASK });
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /kling/v1/audio/tts']);
    expect(JSON.parse(api.requests[0]?.body ?? '')).toEqual(TTS);
    expect(tc.sleeps).toEqual([]);
  });

  test('polls a submitted task until it succeeds', async () => {
    tc = testClient(api.url);
    api.enqueue(
      klingOk(ttsData('submitted')),
      klingOk(ttsData('processing')),
      klingOk(ttsData('processing')),
      klingOk(ttsData('processing')),
      klingOk(ttsData('succeed')),
    );
    const audio = await tc.client.synthesizeSpeech(TTS);
    expect(audio.audioId).toBe(AUDIO.id);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /kling/v1/audio/tts',
      ...Array.from({ length: 4 }, () => `GET /kling/v1/audio/tts/${TTS_TASK}`),
    ]);
    expect(tc.sleeps).toEqual([1_000, 2_000, 3_000, 3_000]);
  });

  test('a failed speech task throws KLING_TASK_FAILED with the reason', async () => {
    tc = testClient(api.url);
    api.enqueue(
      klingOk(ttsData('submitted')),
      klingOk(ttsData('failed', { task_status_msg: 'text is invalid' })),
    );
    const error = await tc.client.synthesizeSpeech(TTS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KlingApiError);
    expect(error).toMatchObject({
      code: 'KLING_TASK_FAILED',
      retryable: false,
      params: { detail: 'text is invalid' },
    });
  });

  test('an unknown voice surfaces as KLING_INVALID_REQUEST with the provider text', async () => {
    tc = testClient(api.url, { maxRetries: 3 });
    api.enqueue(VOICE_NOT_FOUND);
    const error = await tc.client.synthesizeSpeech(TTS).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'KLING_INVALID_REQUEST',
      klingCode: 1201,
      requestId: 'ed47-voice',
      params: { detail: 'Voice id not found' },
    });
    expect(api.requests).toHaveLength(1);
  });

  test('the speech POST is retried after a 5xx (a duplicate is cheap and cannot be looked up)', async () => {
    tc = testClient(api.url, { maxRetries: 2 });
    api.enqueue({ status: 502, body: '<html>Bad gateway</html>' }, klingOk(ttsData('succeed')));
    const audio = await tc.client.synthesizeSpeech(TTS);
    expect(audio.audioId).toBe(AUDIO.id);
    expect(tc.sleeps).toEqual([1_000]);
  });

  test('gives up with KLING_TIMEOUT once the deadline has passed', async () => {
    tc = testClient(api.url, {
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20))),
    });
    api.enqueue(klingOk(ttsData('submitted')));
    api.fallback(klingOk(ttsData('processing')));
    const error = await tc.client.synthesizeSpeech(TTS, { deadlineMs: 120 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KLING_TIMEOUT', retryable: true });
    expect(api.requests.length).toBeGreaterThan(1);
    expect(api.requests.length).toBeLessThan(12);
  });
});
