// The CometAPI Kling client: avatar create and query, and TTS. Retries are bounded and never resend a
// create that may already have produced a (billable) task; see retry-policy.ts and error-mapping.ts.
import { ConfigError, KlingApiError } from '../errors.js';
import { type Operation, sanitizeText } from './error-mapping.js';
import { RequestRunner } from './request-runner.js';
import { parseAvatarTask, parseTtsTask } from './schemas.js';
import type { AvatarTaskBody, KlingAudio, KlingClientOptions, KlingTask, TtsBody } from './types.js';

export type * from './types.js';

const AVATAR_PATH = '/kling/v1/videos/avatar/image2video';
const TTS_PATH = '/kling/v1/audio/tts';
/** Waits between TTS polls; the last value repeats. Kling usually finishes speech within seconds. */
export const TTS_POLL_DELAYS_MS = [1_000, 2_000, 3_000] as const;
export const TTS_DEFAULT_DEADLINE_MS = 60_000;

export class KlingClient {
  readonly #runner: RequestRunner;

  constructor(options: KlingClientOptions) {
    const problems: string[] = [];
    if (!/^https?:\/\/[^/]/i.test(options.baseUrl) || !URL.canParse(options.baseUrl))
      problems.push('kling baseUrl must be an http(s) URL');
    if (options.apiKey.trim() === '') problems.push('kling apiKey is empty');
    if (!(options.timeoutMs > 0)) problems.push('kling timeoutMs must be positive');
    if (!Number.isInteger(options.maxRetries) || options.maxRetries < 0)
      problems.push('kling maxRetries must be a non-negative integer');
    if (problems.length > 0) throw new ConfigError(problems);
    this.#runner = new RequestRunner(options);
  }

  /**
   * One create attempt policy: retries ONLY failures where the provider certainly did not create a
   * task (429/1302/1303, connection refused before sending). Any failure after the request may have
   * reached the provider (timeout after send, 5xx, socket reset, non-JSON/garbled 2xx) throws
   * KlingApiError with ambiguous=true and is NOT retried: the caller reconciles by looking the task
   * up by external_task_id. A caller abort rethrows `signal.reason` and is just as ambiguous.
   */
  async createAvatarTask(body: AvatarTaskBody, signal?: AbortSignal): Promise<KlingTask> {
    const op: Operation = { method: 'POST', path: AVATAR_PATH, replaySafe: false };
    const { value, requestId } = await this.#runner.send(op, body, signal, parseAvatarTask);
    return { ...value, ...(requestId ? { requestId } : {}) };
  }

  /**
   * GET /kling/v1/videos/avatar/image2video/{id}; id may be the task id or external_task_id.
   * Idempotent: retries 429, 5xx, timeouts, connection errors, garbled bodies. A 404/1203 throws
   * KLING_NOT_FOUND (not retried).
   */
  async getAvatarTask(id: string, signal?: AbortSignal): Promise<KlingTask> {
    const op: Operation = { method: 'GET', path: `${AVATAR_PATH}/${encodeTaskId(id)}`, replaySafe: true };
    const { value, requestId } = await this.#runner.send(op, undefined, signal, parseAvatarTask);
    return { ...value, ...(requestId ? { requestId } : {}) };
  }

  /**
   * POST /kling/v1/audio/tts then, if not yet 'succeed', polls GET /kling/v1/audio/tts/{task_id}
   * (an assumed path, reference §4) until succeed/failed or `deadlineMs` (a duration, default 60 s)
   * has passed; returns the first audio. The POST is retried like a read: a duplicate speech task
   * costs little and cannot be looked up again, unlike a duplicate video.
   */
  async synthesizeSpeech(
    body: TtsBody,
    options: { signal?: AbortSignal; deadlineMs?: number } = {},
  ): Promise<KlingAudio> {
    const { signal, deadlineMs = TTS_DEFAULT_DEADLINE_MS } = options;
    const giveUpAt = Date.now() + deadlineMs;
    let { value: task, requestId } = await this.#runner.send(
      { method: 'POST', path: TTS_PATH, replaySafe: true },
      body,
      signal,
      parseTtsTask,
    );
    for (let poll = 0; task.status === 'submitted' || task.status === 'processing'; poll++) {
      const remainingMs = giveUpAt - Date.now();
      if (remainingMs <= 0) {
        throw new KlingApiError(
          'KLING_TIMEOUT',
          `Kling TTS task ${task.taskId} still ${task.status} at deadline`,
          {
            retryable: true,
            requestId,
          },
        );
      }
      const waitMs = TTS_POLL_DELAYS_MS[Math.min(poll, TTS_POLL_DELAYS_MS.length - 1)] ?? 0;
      await this.#runner.pause(Math.min(waitMs, remainingMs), signal);
      const op: Operation = {
        method: 'GET',
        path: `${TTS_PATH}/${encodeTaskId(task.taskId)}`,
        replaySafe: true,
      };
      ({ value: task, requestId } = await this.#runner.send(op, undefined, signal, parseTtsTask));
    }
    const audio = task.audios[0];
    if (task.status === 'failed' || !audio) {
      const detail = sanitizeText(task.statusMessage || 'speech synthesis failed', this.#runner.secrets);
      throw new KlingApiError('KLING_TASK_FAILED', `Kling TTS task ${task.taskId} failed: ${detail}`, {
        requestId,
        params: { detail },
      });
    }
    return {
      audioId: audio.id,
      ...(audio.url ? { url: audio.url } : {}),
      durationSeconds: audio.durationSeconds,
      taskId: task.taskId,
    };
  }
}

function encodeTaskId(id: string): string {
  const trimmed = id.trim();
  if (trimmed === '') throw new RangeError('Kling task id is empty');
  return encodeURIComponent(trimmed);
}
