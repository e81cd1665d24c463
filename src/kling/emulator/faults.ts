// Fault injection: which misbehaviour the next API request gets, decided by the seeded RNG before the
// request is processed, and how each fault looks on the wire.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { klingBody, sendJson } from './http.js';
import { type Rng, requestId } from './random.js';
import type { Scheduler } from './scheduler.js';
import type { EmulatorStats, FaultSettings } from './types.js';

export const DEFAULT_FAULTS: Readonly<FaultSettings> = Object.freeze({
  http429Rate: 0,
  http5xxRate: 0,
  timeoutRate: 0,
  malformedJsonRate: 0,
  htmlRate: 0,
  createThenFailRate: 0,
  createThenFailNext: 0,
  forceNext: [],
  timeoutMs: 60_000,
  failNextTasks: 0,
  failMessage: 'Failure to pass the risk control system',
  duplicateCallbacks: false,
  callbackDelayMs: 0,
  callbackBeforeCreateResponse: false,
  nextCreateError: null,
});

const rate = z.number().min(0).max(1);
/** Validates fault changes posted from other processes to POST /emulator/faults. */
export const faultPatchSchema = z
  .object({
    http429Rate: rate,
    http5xxRate: rate,
    timeoutRate: rate,
    malformedJsonRate: rate,
    htmlRate: rate,
    createThenFailRate: rate,
    createThenFailNext: z.number().int().min(0),
    forceNext: z.array(z.enum(['429', '5xx', 'timeout', 'malformed', 'html'])),
    timeoutMs: z.number().int().min(0),
    failNextTasks: z.number().int().min(0),
    failMessage: z.string(),
    duplicateCallbacks: z.boolean(),
    callbackDelayMs: z.number().int().min(0),
    callbackBeforeCreateResponse: z.boolean(),
    nextCreateError: z.object({ status: z.number().int().min(100).max(599), body: z.unknown() }).nullable(),
  })
  .partial()
  .strict();

export type FaultKind = '429' | '5xx' | 'timeout' | 'malformed' | 'html';

/** Order matters only for determinism: one draw per kind, always, whatever the rates are. */
const KINDS: Array<[FaultKind, keyof FaultSettings]> = [
  ['429', 'http429Rate'],
  ['5xx', 'http5xxRate'],
  ['timeout', 'timeoutRate'],
  ['malformed', 'malformedJsonRate'],
  ['html', 'htmlRate'],
];

const SERVER_ERRORS = [
  { status: 500, code: 5000, message: 'Server internal error' },
  { status: 503, code: 5001, message: 'Service temporarily unavailable' },
  { status: 504, code: 5002, message: 'Server internal timeout' },
] as const;

const LOGIN_PAGE =
  '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign in - CometAPI</title></head>' +
  '<body><div id="app"><h1>Sign in</h1><form action="/login" method="post">' +
  '<input name="username"><input name="password" type="password"><button>Log in</button>' +
  '</form></div></body></html>';

export class Faults {
  private current: FaultSettings = { ...DEFAULT_FAULTS, forceNext: [] };

  constructor(
    private readonly rng: Rng,
    private readonly scheduler: Scheduler,
    private readonly stats: EmulatorStats,
  ) {}

  get settings(): Readonly<FaultSettings> {
    return this.current;
  }

  set(partial: Partial<FaultSettings>): void {
    this.current = {
      ...this.current,
      ...partial,
      forceNext: [...(partial.forceNext ?? this.current.forceNext)],
    };
  }

  reset(): void {
    this.current = { ...DEFAULT_FAULTS, forceNext: [] };
  }

  count(kind: string): void {
    this.stats.faultsInjected[kind] = (this.stats.faultsInjected[kind] ?? 0) + 1;
  }

  draw(): FaultKind | null {
    let chosen: FaultKind | null = null;
    for (const [kind, key] of KINDS) {
      const roll = this.rng();
      if (chosen === null && roll < (this.current[key] as number)) chosen = kind;
    }
    // Forced faults still use up their rolls, so the seeded sequence after them is unchanged.
    return this.current.forceNext.shift() ?? chosen;
  }

  drawCreateThenFail(): boolean {
    // The dice still roll, so a seeded sequence is the same with or without the counter.
    const roll = this.rng();
    if (this.current.createThenFailNext > 0) {
      this.current.createThenFailNext -= 1;
      return true;
    }
    return roll < this.current.createThenFailRate;
  }

  takeFailNext(): string | undefined {
    if (this.current.failNextTasks <= 0) return undefined;
    this.current.failNextTasks -= 1;
    return this.current.failMessage;
  }

  takeNextCreateError(): { status: number; body: unknown } | null {
    const next = this.current.nextCreateError;
    this.current.nextCreateError = null;
    return next;
  }

  sendServerError(res: ServerResponse): void {
    const pick = SERVER_ERRORS[Math.floor(this.rng() * SERVER_ERRORS.length)] ?? SERVER_ERRORS[0];
    sendJson(res, pick.status, klingBody(pick.code, pick.message));
  }

  /** Writes the fault's answer (or, for 'timeout', holds the request and later drops the socket). */
  respond(kind: FaultKind, req: IncomingMessage, res: ServerResponse): void {
    this.count(kind);
    switch (kind) {
      case '429':
        sendJson(res, 429, klingBody(1302, 'Request rate too high'), { 'Retry-After': '1' });
        return;
      case '5xx':
        this.sendServerError(res);
        return;
      case 'timeout':
        this.scheduler.after(this.current.timeoutMs, () => req.socket.destroy());
        return;
      case 'malformed': {
        const full = JSON.stringify(klingBody(0, 'SUCCEED', { task_id: '8', task_status: 'submitted' }));
        const text = full.slice(0, Math.floor(full.length / 2));
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      case 'html':
        res.writeHead(200, {
          'Content-Type': 'text/html; charset=utf-8',
          'X-Request-Id': requestId(),
          'Content-Length': Buffer.byteLength(LOGIN_PAGE),
        });
        res.end(LOGIN_PAGE);
        return;
    }
  }
}
