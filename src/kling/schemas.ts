// zod schemas for what CometAPI/Kling send back. Success is `code === 0` plus a valid `data`; the
// top-level `message` varies ('SUCCEED', 'success') and is never trusted. Error envelopes are read
// loosely because CometAPI wraps Kling's errors in several shapes (reference §4, §5.2).
import { z } from 'zod';
import type { KlingTask, KlingTaskStatus, KlingVideo } from './types.js';

const TASK_STATUSES = ['submitted', 'processing', 'succeed', 'failed'] as const satisfies KlingTaskStatus[];

// Kling ids look like 18-digit numbers; if one arrives unquoted, JSON.parse would round it past 2^53.
const BARE_LONG_ID = /("(?:task_id|id|audio_id|request_id)"\s*:\s*)(-?\d{16,})(?=\s*[,}\]])/g;

/** JSON.parse that keeps long numeric ids exact; `undefined` for anything that is not JSON. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text.replace(BARE_LONG_ID, '$1"$2"'));
  } catch {
    return undefined;
  }
}

const opaqueId = z.union([z.string().trim().min(1), z.number().int().nonnegative()]).transform(String);
const numericCode = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);
const mediaUrl = z.url({ protocol: /^https?$/ });
const optionalText = z.string().nullish().catch(undefined);

// Durations and timestamps are informative, not essential: a malformed one must not hide a finished render.
const seconds = z.unknown().transform((v) => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : 0;
});
const epochMs = z.unknown().transform((v) => {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
});
const status = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.enum(TASK_STATUSES));

const videoSchema = z.object({ id: opaqueId, url: mediaUrl, duration: seconds });
const audioSchema = z.object({ id: opaqueId, url: mediaUrl.nullish().catch(undefined), duration: seconds });

const taskBase = {
  task_id: opaqueId,
  task_status: status,
  task_status_msg: optionalText,
  task_info: z.object({ external_task_id: opaqueId.nullish().catch(undefined) }).nullish(),
  created_at: epochMs,
  updated_at: epochMs,
};

const avatarTaskData = z
  .object({ ...taskBase, task_result: z.object({ videos: z.array(videoSchema).nullish() }).nullish() })
  .refine((d) => d.task_status !== 'succeed' || (d.task_result?.videos?.length ?? 0) > 0, {
    message: 'a succeeded task lists no videos',
    path: ['task_result', 'videos'],
  });

const ttsTaskData = z
  .object({ ...taskBase, task_result: z.object({ audios: z.array(audioSchema).nullish() }).nullish() })
  .refine((d) => d.task_status !== 'succeed' || (d.task_result?.audios?.length ?? 0) > 0, {
    message: 'a succeeded speech task lists no audio',
    path: ['task_result', 'audios'],
  });

// Request ids end up in logs and errors, so anything that does not look like an id is dropped.
const requestIdField = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(/^[\w.:-]{1,128}$/))
  .optional()
  .catch(undefined);
const successEnvelope = z.object({ code: numericCode, request_id: requestIdField });

/** Whether the body claims success (`code === 0`; `data` must still be validated), and its request id. */
export function readEnvelope(json: unknown): { claimsSuccess: boolean; requestId?: string } {
  const parsed = successEnvelope.safeParse(json);
  if (!parsed.success) return { claimsSuccess: false };
  const { code, request_id } = parsed.data;
  return { claimsSuccess: code === 0, ...(request_id ? { requestId: request_id } : {}) };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid data';
  return `${['data', ...issue.path].join('.')}: ${issue.message}`;
}

function parseData<S extends z.ZodType>(schema: S, json: unknown): Parsed<z.output<S>> {
  const data = typeof json === 'object' && json !== null ? (json as { data?: unknown }).data : undefined;
  const parsed = schema.safeParse(data);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, problem: describeIssue(parsed.error) };
}

/** Reads the `data` of a successful create or query response into a KlingTask. */
export function parseAvatarTask(json: unknown): Parsed<Omit<KlingTask, 'requestId'>> {
  const parsed = parseData(avatarTaskData, json);
  if (!parsed.ok) return parsed;
  const d = parsed.value;
  const videos: KlingVideo[] = (d.task_result?.videos ?? []).map((v) => ({
    id: v.id,
    url: v.url,
    durationSeconds: v.duration,
  }));
  return {
    ok: true,
    value: {
      taskId: d.task_id,
      status: d.task_status,
      statusMessage: d.task_status_msg ?? '',
      ...(d.task_info?.external_task_id ? { externalTaskId: d.task_info.external_task_id } : {}),
      videos,
      ...(d.created_at === undefined ? {} : { createdAt: d.created_at }),
      ...(d.updated_at === undefined ? {} : { updatedAt: d.updated_at }),
    },
  };
}

export interface TtsTask {
  taskId: string;
  status: KlingTaskStatus;
  statusMessage: string;
  audios: Array<{ id: string; url?: string; durationSeconds: number }>;
}

/** Reads the `data` of a TTS create or poll response. */
export function parseTtsTask(json: unknown): Parsed<TtsTask> {
  const parsed = parseData(ttsTaskData, json);
  if (!parsed.ok) return parsed;
  const d = parsed.value;
  return {
    ok: true,
    value: {
      taskId: d.task_id,
      status: d.task_status,
      statusMessage: d.task_status_msg ?? '',
      audios: (d.task_result?.audios ?? []).map((a) => ({
        id: a.id,
        ...(a.url ? { url: a.url } : {}),
        durationSeconds: a.duration,
      })),
    },
  };
}

/** What an error body tells us, whichever envelope it came in. Every field is optional. */
export interface ProviderError {
  klingCode?: number;
  message?: string;
  requestId?: string;
  /** CometAPI's `error.code` when it is a word, e.g. 'invalid_request'. */
  cometCode?: string;
  cometType?: string;
}

const klingShape = z.object({ code: numericCode, message: optionalText, request_id: requestIdField });
const cometShape = z.object({
  error: z.object({
    message: optionalText,
    type: optionalText,
    code: z.union([z.string(), z.number()]).nullish().catch(undefined),
  }),
});
// {"message": "...", "data": {"data": {"code": 1201, ...}, "message": "..."}} (the TTS voice error)
const nestedShape = z.object({
  message: optionalText,
  data: z.object({ message: optionalText, data: klingShape.optional().catch(undefined) }),
});
const messageOnly = z.object({ message: z.string() });

/** Pulls code, message and request id out of any known error envelope. */
export function readProviderError(json: unknown): ProviderError {
  const comet = cometShape.safeParse(json);
  if (comet.success) {
    const { message, type, code } = comet.data.error;
    const numeric = typeof code === 'number' || (typeof code === 'string' && /^\d+$/.test(code));
    return {
      ...(numeric ? { klingCode: Number(code) } : {}),
      ...(typeof code === 'string' && code !== '' && !numeric ? { cometCode: code } : {}),
      ...(message ? { message } : {}),
      ...(type ? { cometType: type } : {}),
    };
  }
  const top = klingShape.safeParse(json);
  const nested = nestedShape.safeParse(json);
  const inner = nested.success ? nested.data.data.data : undefined;
  // A top-level non-zero code wins; the nested wrapper usually has no top-level code at all.
  const source = top.success && top.data.code !== 0 ? top.data : inner?.code ? inner : undefined;
  const message =
    source?.message ||
    (nested.success ? nested.data.data.message || nested.data.message : undefined) ||
    (top.success ? top.data.message : undefined) ||
    messageOnly.safeParse(json).data?.message;
  return {
    ...(source ? { klingCode: source.code } : {}),
    ...(message ? { message } : {}),
    ...(source?.request_id ? { requestId: source.request_id } : {}),
    ...(!source?.request_id && top.success && top.data.request_id ? { requestId: top.data.request_id } : {}),
  };
}
