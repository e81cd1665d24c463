// The project's error hierarchy: every failure carries a stable code, the parameters its user-facing
// message needs, and whether trying again could help. User text comes from the message catalogue
// (src/i18n), never from `error.message`, so exception text can stay technical and secret-free.

/** Stable error codes. Each has a catalogue entry `error.<CODE>` with the text a user sees. */
export const ERROR_CODES = [
  // Request shape
  'IMAGE_MISSING',
  'VOICE_OR_TEXT_MISSING',
  'VOICE_AND_TEXT',
  'MODE_INVALID',
  'PROMPT_TOO_LONG',
  // Image checks
  'IMAGE_UNREADABLE',
  'IMAGE_FORMAT',
  'IMAGE_TOO_SMALL',
  'IMAGE_ASPECT',
  'IMAGE_TOO_MANY_PIXELS',
  'IMAGE_FILE_TOO_BIG',
  // Voice checks
  'VOICE_UNREADABLE',
  'VOICE_NO_AUDIO',
  'VOICE_IS_VIDEO',
  'VOICE_SILENT',
  'VOICE_TOO_SHORT',
  'VOICE_TOO_LONG',
  'VOICE_FILE_TOO_BIG',
  // Text to speech
  'TEXT_TOO_SHORT',
  'TEXT_TOO_LONG',
  // Fetching inputs
  'DOWNLOAD_FAILED',
  'DOWNLOAD_TOO_BIG',
  'URL_NOT_ALLOWED',
  // Kling / CometAPI
  'KLING_AUTH',
  'KLING_ACCOUNT',
  'KLING_FORBIDDEN',
  'KLING_INVALID_REQUEST',
  'KLING_CONTENT_POLICY',
  'KLING_RATE_LIMITED',
  'KLING_UNAVAILABLE',
  'KLING_NOT_FOUND',
  'KLING_BAD_RESPONSE',
  'KLING_TIMEOUT',
  'KLING_CONNECTION',
  'KLING_TASK_FAILED',
  // Job lifecycle
  'JOB_DEADLINE',
  'JOB_SUBMIT_UNCONFIRMED',
  'RESULT_DOWNLOAD_FAILED',
  'PART_FAILED',
  'PARTS_JOIN_FAILED',
  'DELIVERY_FAILED',
  'JOB_NOT_FOUND',
  'JOB_NOT_YOURS',
  'JOB_INPUTS_GONE',
  // Team controls: limits, access, confirmation, consent, settings
  'LIMIT_USER_CONCURRENT',
  'LIMIT_USER_PER_DAY',
  'LIMIT_USER_SECONDS_PER_MONTH',
  'LIMIT_TENANT_CONCURRENT',
  'LIMIT_TENANT_PER_DAY',
  'LIMIT_TENANT_SECONDS_PER_MONTH',
  'ACCESS_BANNED',
  'ACCESS_CHANNEL',
  'ACCESS_ROLE',
  'ACCESS_PRO_ROLE',
  'ADMIN_ONLY',
  'JOB_CANCELLED',
  'CONFIRM_EXPIRED',
  'CONFIRM_UNATTENDED',
  'CONSENT_DECLINED',
  'CONSENT_NEEDED',
  'JOB_NOT_WAITING',
  'JOB_ALREADY_SUBMITTED',
  'JOB_ALREADY_ENDED',
  'FORGET_JOBS_RUNNING',
  'SETTING_UNKNOWN',
  'SETTING_INVALID',
  // Operations
  'CONFIG_INVALID',
  'FFMPEG_MISSING',
  'STORE_UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Values substituted into the catalogue text (`{width}` and so on). */
export type ErrorParams = Record<string, string | number>;

export interface AvatarErrorOptions {
  params?: ErrorParams;
  retryable?: boolean;
  cause?: unknown;
}

/** Base class: a code, message parameters and a retry hint. */
export class AvatarError extends Error {
  readonly code: ErrorCode;
  readonly params: ErrorParams;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: AvatarErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = `${new.target.name}[${code}]`;
    this.code = code;
    this.params = options.params ?? {};
    this.retryable = options.retryable ?? false;
  }
}

/** Something the user sent must change. Raised before any money is spent. */
export class InputError extends AvatarError {}

/** The CometAPI/Kling side refused or failed. Carries what an operator needs to trace it. */
export class KlingApiError extends AvatarError {
  readonly status: number | undefined;
  readonly klingCode: number | undefined;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;
  /**
   * True when a create request may have reached the provider even though we saw a failure (timeout
   * after sending, 5xx, garbled answer). Such a create must be reconciled, never blindly resent.
   */
  readonly ambiguous: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    details: {
      status?: number;
      klingCode?: number;
      requestId?: string;
      retryAfterMs?: number;
      ambiguous?: boolean;
    } & AvatarErrorOptions = {},
  ) {
    super(code, message, details);
    this.status = details.status;
    this.klingCode = details.klingCode;
    this.requestId = details.requestId;
    this.retryAfterMs = details.retryAfterMs;
    this.ambiguous = details.ambiguous ?? false;
  }
}

/** A job could not finish (deadline, failed task, undeliverable result). */
export class JobError extends AvatarError {}

/** The bot is misconfigured; raised at start-up with every problem listed. */
export class ConfigError extends AvatarError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('CONFIG_INVALID', `Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

/**
 * The job store (Redis or the SQLite file) failed or did not answer in time. Nothing was recorded for
 * certain, so the user is told to try again shortly; operators find the store's own error in `cause`.
 */
export class StoreUnavailableError extends AvatarError {
  constructor(operation: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('STORE_UNAVAILABLE', `job store ${operation} failed: ${reason}`, { retryable: true, cause });
  }
}

/** Wraps anything thrown into an AvatarError so callers handle one shape. */
export function asAvatarError(error: unknown): AvatarError {
  if (error instanceof AvatarError) return error;
  return new AvatarError('INTERNAL', error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}
