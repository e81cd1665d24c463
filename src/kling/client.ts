// The CometAPI Kling client: avatar create and query, and TTS. Retries are bounded and never resend a
// create that may already have produced a (billable) task; see retry-policy.ts and error-mapping.ts.
import { setTimeout as delay } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { ConfigError, KlingApiError } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  cleanRequestId,
  headerValue,
  mapResponseFailure,
  mapTransportFailure,
  type Operation,
  sanitizeText,
} from './error-mapping.js';
import { retryDelayMs, shouldRetry } from './retry-policy.js';
import { type Parsed, parseAvatarTask, parseJsonBody, parseTtsTask, readEnvelope } from './schemas.js';
import { exchange, TransportFailure } from './transport.js';
import type { AvatarTaskBody, KlingAudio, KlingClientOptions, KlingTask, TtsBody } from './types.js';

export type * from './types.js';

const AVATAR_PATH = '/kling/v1/videos/avatar/image2video';
const TTS_PATH = '/kling/v1/audio/tts';
/** Waits between TTS polls; the last value repeats. Kling usually finishes speech within seconds. */
export const TTS_POLL_DELAYS_MS = [1_000, 2_000, 3_000] as const;
export const TTS_DEFAULT_DEADLINE_MS = 60_000;

export class KlingClient {
  readonly #baseUrl: string;
  readonly #apiKey: string;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #log: Logger;
  readonly #dispatcher: Dispatcher | undefined;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;

  constructor(options: KlingClientOptions) {
    const problems: string[] = [];
    if (!/^https?:\/\/[^/]/i.test(options.baseUrl) || !URL.canParse(options.baseUrl))
      problems.push('kling baseUrl must be an http(s) URL');
    if (options.apiKey.trim() === '') problems.push('kling apiKey is empty');
    if (!(options.timeoutMs > 0)) problems.push('kling timeoutMs must be positive');
    if (!Number.isInteger(options.maxRetries) || options.maxRetries < 0)
      problems.push('kling maxRetries must be a non-negative integer');
    if (problems.length > 0) throw new ConfigError(problems);
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey.trim();
    this.#timeoutMs = options.timeoutMs;
    this.#maxRetries = options.maxRetries;
    this.#log = options.logger;
    this.#dispatcher = options.dispatcher;
    this.#sleep = options.sleep ?? ((ms) => delay(ms));
    this.#random = options.random ?? Math.random;
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
    const { value, requestId } = await this.#send(op, body, signal, parseAvatarTask);
    return { ...value, ...(requestId ? { requestId } : {}) };
  }

  /**
   * GET /kling/v1/videos/avatar/image2video/{id}; id may be the task id or external_task_id.
   * Idempotent: retries 429, 5xx, timeouts, connection errors, garbled bodies. A 404/1203 throws
   * KLING_NOT_FOUND (not retried).
   */
  async getAvatarTask(id: string, signal?: AbortSignal): Promise<KlingTask> {
    const op: Operation = { method: 'GET', path: `${AVATAR_PATH}/${encodeTaskId(id)}`, replaySafe: true };
    const { value, requestId } = await this.#send(op, undefined, signal, parseAvatarTask);
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
    let { value: task, requestId } = await this.#send(
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
      await this.#pause(Math.min(waitMs, remainingMs), signal);
      const op: Operation = {
        method: 'GET',
        path: `${TTS_PATH}/${encodeTaskId(task.taskId)}`,
        replaySafe: true,
      };
      ({ value: task, requestId } = await this.#send(op, undefined, signal, parseTtsTask));
    }
    const audio = task.audios[0];
    if (task.status === 'failed' || !audio) {
      const detail = sanitizeText(task.statusMessage || 'speech synthesis failed', [this.#apiKey]);
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

  /** Runs one operation with the retry policy; logs every failure with constant messages. */
  async #send<T>(
    op: Operation,
    payload: object | undefined,
    signal: AbortSignal | undefined,
    parse: (json: unknown) => Parsed<T>,
  ): Promise<{ value: T; requestId: string | undefined }> {
    for (let retriesDone = 0; ; retriesDone++) {
      signal?.throwIfAborted();
      const started = Date.now();
      try {
        const result = await this.#attempt(op, payload, signal, parse);
        this.#log.debug(
          {
            method: op.method,
            path: op.path,
            requestId: result.requestId,
            attempt: retriesDone + 1,
            ms: Date.now() - started,
          },
          'Kling request succeeded',
        );
        return result;
      } catch (error) {
        if (!(error instanceof KlingApiError)) throw error;
        const context = {
          method: op.method,
          path: op.path,
          status: error.status,
          klingCode: error.klingCode,
          requestId: error.requestId,
          attempt: retriesDone + 1,
          code: error.code,
          ambiguous: error.ambiguous,
        };
        if (!shouldRetry(error, retriesDone, this.#maxRetries)) {
          this.#log.warn(context, 'Kling request failed');
          throw error;
        }
        const delayMs = retryDelayMs(error, retriesDone, this.#random);
        this.#log.info({ ...context, delayMs }, 'Kling request failed; retrying');
        await this.#pause(delayMs, signal);
      }
    }
  }

  async #attempt<T>(
    op: Operation,
    payload: object | undefined,
    signal: AbortSignal | undefined,
    parse: (json: unknown) => Parsed<T>,
  ): Promise<{ value: T; requestId: string | undefined }> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#apiKey}`,
      accept: 'application/json',
      ...(payload ? { 'content-type': 'application/json' } : {}),
    };
    let res: Awaited<ReturnType<typeof exchange>>;
    try {
      res = await exchange({
        url: `${this.#baseUrl}${op.path}`,
        method: op.method,
        headers,
        ...(payload ? { body: JSON.stringify(payload) } : {}),
        timeoutMs: this.#timeoutMs,
        ...(signal ? { signal } : {}),
        ...(this.#dispatcher ? { dispatcher: this.#dispatcher } : {}),
      });
    } catch (error) {
      if (error instanceof TransportFailure) throw mapTransportFailure(error, op);
      throw error;
    }
    const secrets = [this.#apiKey];
    const ctx = { secrets, nowMs: Date.now() };
    if (res.status >= 200 && res.status < 300 && res.text !== undefined) {
      const json = parseJsonBody(res.text);
      const envelope = readEnvelope(json);
      if (envelope.claimsSuccess) {
        const parsed = parse(json);
        if (!parsed.ok) throw mapResponseFailure(res, op, ctx, parsed.problem);
        const requestId = cleanRequestId(
          envelope.requestId ?? headerValue(res.headers, 'x-request-id'),
          secrets,
        );
        return { value: parsed.value, requestId };
      }
    }
    throw mapResponseFailure(res, op, ctx);
  }

  /** The injected sleep, cut short by the caller's abort. */
  async #pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (!signal) return this.#sleep(ms);
    signal.throwIfAborted();
    let onAbort = (): void => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([this.#sleep(ms), aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}

function encodeTaskId(id: string): string {
  const trimmed = id.trim();
  if (trimmed === '') throw new RangeError('Kling task id is empty');
  return encodeURIComponent(trimmed);
}
