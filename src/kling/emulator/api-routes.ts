// Handlers for the Kling API routes (avatar create/query, TTS create/query). Each request passes the
// same gate: auth, then the fault dice, then the body; a faulted request never reaches processing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../logger.js';
import type { FaultKind, Faults } from './faults.js';
import {
  BodyTooLargeError,
  isAuthorized,
  ParamError,
  parseJsonObject,
  readBody,
  rejectTooLarge,
  sendCometError,
  sendJson,
  sendKlingError,
  sendSuccess,
  tryParseJsonObject,
} from './http.js';
import type { ProcessRunner } from './proc.js';
import { cometRequestId } from './random.js';
import type { TaskEngine } from './tasks.js';
import { type TtsService, VoiceNotFoundError } from './tts.js';
import type { EmulatorStats } from './types.js';
import { checkCreateShape, prepareCreateMedia, type ValidateDeps } from './validate.js';

export interface ApiContext {
  apiKey: string | undefined;
  requirePrompt: boolean;
  maxAudioSeconds: number;
  ffprobePath: string;
  inputDir: string;
  stats: EmulatorStats;
  faults: Faults;
  tasks: TaskEngine;
  tts: TtsService;
  runner: ProcessRunner;
  closeSignal: AbortSignal;
  logger: Logger;
}

type GateResult = { ok: true; fault: FaultKind | null; body: Buffer } | { ok: false; authorized: boolean };

async function gate(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<GateResult> {
  if (!isAuthorized(req, ctx.apiKey)) {
    sendCometError(res, 401, 'Invalid token');
    return { ok: false, authorized: false };
  }
  const fault = ctx.faults.draw();
  if (req.method !== 'POST') return { ok: true, fault, body: Buffer.alloc(0) };
  try {
    return { ok: true, fault, body: await readBody(req) };
  } catch (error) {
    if (error instanceof BodyTooLargeError) rejectTooLarge(req, res);
    else req.socket.destroy();
    return { ok: false, authorized: true };
  }
}

export async function handleCreate(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const gated = await gate(ctx, req, res);
  if (!gated.ok) {
    if (gated.authorized) ctx.stats.rejectedCreates += 1;
    return;
  }
  const externalId = tryParseJsonObject(gated.body)?.external_task_id;
  if (typeof externalId === 'string' && externalId !== '')
    ctx.stats.createsByExternalId[externalId] = (ctx.stats.createsByExternalId[externalId] ?? 0) + 1;

  const forced = ctx.faults.takeNextCreateError();
  if (forced || gated.fault) ctx.stats.rejectedCreates += 1;
  if (forced) {
    ctx.faults.count('nextCreateError');
    return sendJson(res, forced.status, forced.body);
  }
  if (gated.fault) return ctx.faults.respond(gated.fault, req, res);

  let task: ReturnType<TaskEngine['create']>;
  try {
    const deps = validateDeps(ctx);
    const fields = checkCreateShape(parseJsonObject(gated.body), deps);
    const inputs = await prepareCreateMedia(fields, deps);
    task = ctx.tasks.create(fields, inputs, ctx.faults.takeFailNext());
  } catch (error) {
    ctx.stats.rejectedCreates += 1;
    return sendError(ctx, res, error);
  }
  ctx.stats.creates += 1;
  // Snapshot first: with callbackBeforeCreateResponse the task may move on while the callback is sent.
  const created = {
    task_id: task.taskId,
    task_status: task.status,
    task_info: task.externalTaskId === undefined ? {} : { external_task_id: task.externalTaskId },
    created_at: task.createdAt,
    updated_at: task.updatedAt,
  };
  // Real providers can fail after the task exists (timeout or 5xx on the way back), so this fault
  // creates the task and still answers 500: clients must reconcile by external_task_id, not resubmit.
  const thenFail = ctx.faults.drawCreateThenFail();
  const callbackFirst = ctx.faults.settings.callbackBeforeCreateResponse;
  if (callbackFirst) await ctx.tasks.announce(task);
  if (thenFail) {
    ctx.faults.count('createThenFail');
    sendKlingError(res, 500, 5000, 'Server internal error');
  } else {
    sendSuccess(res, created);
  }
  if (!callbackFirst) void ctx.tasks.announce(task);
}

export async function handleQuery(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
): Promise<void> {
  const gated = await gate(ctx, req, res);
  if (!gated.ok) return;
  ctx.stats.queries += 1;
  if (gated.fault) return ctx.faults.respond(gated.fault, req, res);
  const task = ctx.tasks.find(id);
  if (!task) return sendKlingError(res, 404, 1203, 'Task not found');
  sendSuccess(res, ctx.tasks.data(task));
}

export async function handleTtsCreate(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const gated = await gate(ctx, req, res);
  if (!gated.ok) return;
  if (gated.fault) return ctx.faults.respond(gated.fault, req, res);
  try {
    const record = await ctx.tts.create(parseJsonObject(gated.body));
    ctx.stats.ttsCreates += 1;
    sendSuccess(res, ctx.tts.data(record));
  } catch (error) {
    sendError(ctx, res, error);
  }
}

export async function handleTtsQuery(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  taskId: string,
): Promise<void> {
  const gated = await gate(ctx, req, res);
  if (!gated.ok) return;
  if (gated.fault) return ctx.faults.respond(gated.fault, req, res);
  const record = ctx.tts.get(taskId);
  if (!record) return sendKlingError(res, 404, 1203, 'Task not found');
  sendSuccess(res, ctx.tts.data(record));
}

function validateDeps(ctx: ApiContext): ValidateDeps {
  return {
    requirePrompt: ctx.requirePrompt,
    maxAudioSeconds: ctx.maxAudioSeconds,
    isExternalIdTaken: (id) => ctx.tasks.isExternalIdTaken(id),
    lookupAudio: (id) => ctx.tts.audio(id),
    runner: ctx.runner,
    ffprobePath: ctx.ffprobePath,
    inputDir: ctx.inputDir,
    signal: ctx.closeSignal,
  };
}

function sendError(ctx: ApiContext, res: ServerResponse, error: unknown): void {
  if (error instanceof ParamError) {
    sendKlingError(res, 400, error.klingCode, error.message);
  } else if (error instanceof VoiceNotFoundError) {
    // CometAPI wraps this upstream Kling error in its own {message, data:{data:{...}}} shape.
    const inner = { code: 1201, message: error.message, request_id: cometRequestId() };
    sendJson(res, 400, { message: error.message, data: { data: inner, message: error.message } });
  } else {
    if (!ctx.closeSignal.aborted) ctx.logger.error({ err: error }, 'emulator request failed');
    sendKlingError(res, 500, 5000, 'Server internal error');
  }
}
