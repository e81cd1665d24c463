// Runs one Kling operation over HTTP: sends it, parses a success or maps the failure, and applies the
// retry policy with the injected sleep and random source. Logs constant messages with context only.
import { setTimeout as delay } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { KlingApiError } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  cleanRequestId,
  headerValue,
  mapResponseFailure,
  mapTransportFailure,
  type Operation,
} from './error-mapping.js';
import { retryDelayMs, shouldRetry } from './retry-policy.js';
import { type Parsed, parseJsonBody, readEnvelope } from './schemas.js';
import { exchange, TransportFailure } from './transport.js';
import type { KlingClientOptions } from './types.js';

export class RequestRunner {
  readonly #baseUrl: string;
  readonly #apiKey: string;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #log: Logger;
  readonly #dispatcher: Dispatcher | undefined;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #onAttemptFailed: ((error: KlingApiError) => void) | undefined;

  /** Expects validated options; KlingClient checks them. */
  constructor(options: KlingClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey.trim();
    this.#timeoutMs = options.timeoutMs;
    this.#maxRetries = options.maxRetries;
    this.#log = options.logger;
    this.#dispatcher = options.dispatcher;
    this.#sleep = options.sleep ?? ((ms) => delay(ms));
    this.#random = options.random ?? Math.random;
    this.#onAttemptFailed = options.onAttemptFailed;
  }

  /** Values no error or log line may contain. */
  get secrets(): readonly string[] {
    return [this.#apiKey];
  }

  /** Runs one operation with the retry policy; logs every failure with constant messages. */
  async send<T>(
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
        this.#onAttemptFailed?.(error);
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
        await this.pause(delayMs, signal);
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
    const secrets = this.secrets;
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
  async pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
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
