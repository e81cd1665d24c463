// Is the Kling endpoint answering at all? A cheap, cached, credential-free probe for /healthz: one HEAD
// request to the base URL's origin. Any HTTP status counts as reachable (the provider answered, even if
// with 401 or 404); only a connection error or a timeout counts as unreachable.
import { request } from 'undici';
import type { Logger } from '../logger.js';

export interface Reachability {
  reachable: boolean;
  /** When the probe behind this answer ran (ISO 8601). */
  checkedAt: string;
}

export interface KlingProbeOptions {
  /** The configured Kling base URL (COMETAPI_BASE_URL or the emulator's); only its origin is used. */
  baseUrl: string;
  logger: Logger;
  /** How long one probe may take before the endpoint counts as unreachable. */
  timeoutMs?: number;
  /** How long an answer is reused, so a load balancer's health checks do not hammer the provider. */
  cacheMs?: number;
}

export const PROBE_TIMEOUT_MS = 2_000;
export const PROBE_CACHE_MS = 20_000;

export class KlingProbe {
  readonly #origin: string;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #cacheMs: number;
  #last: { result: Reachability; at: number } | undefined;
  #inFlight: Promise<Reachability> | undefined;

  constructor(options: KlingProbeOptions) {
    // The origin drops any path, query or userinfo, so nothing but scheme, host and port is ever sent.
    this.#origin = new URL(options.baseUrl).origin;
    this.#logger = options.logger;
    this.#timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
    this.#cacheMs = options.cacheMs ?? PROBE_CACHE_MS;
  }

  /** The cached answer while fresh; otherwise one probe, shared by every caller that asks meanwhile. */
  check(): Promise<Reachability> {
    const last = this.#last;
    if (last && Date.now() - last.at < this.#cacheMs) return Promise.resolve(last.result);
    if (!this.#inFlight) {
      this.#inFlight = this.#probe().finally(() => {
        this.#inFlight = undefined;
      });
    }
    return this.#inFlight;
  }

  async #probe(): Promise<Reachability> {
    const started = Date.now();
    let reachable: boolean;
    let failure: unknown;
    try {
      // No headers at all: in particular never the API key. `reset` closes the socket afterwards so a
      // health check leaves no idle connection to the provider behind.
      const res = await request(this.#origin, {
        method: 'HEAD',
        reset: true,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      await res.body.dump();
      reachable = res.statusCode < 600;
    } catch (error) {
      reachable = false;
      failure = error;
    }
    // Logged on changes only: a provider outage must not add a warning per health check. The error may
    // name the host; that is fine in operator logs, the /healthz body never carries it.
    const before = this.#last?.result.reachable;
    if (!reachable && before !== false)
      this.#logger.warn({ err: failure, elapsedMs: Date.now() - started }, 'kling endpoint unreachable');
    if (reachable && before === false)
      this.#logger.info({ elapsedMs: Date.now() - started }, 'kling endpoint reachable again');
    const result = { reachable, checkedAt: new Date(started).toISOString() };
    this.#last = { result, at: started };
    return result;
  }
}
