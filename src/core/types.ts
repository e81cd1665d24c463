// The platform-neutral contract between the core and the adapters: what a request looks like, how
// an adapter hears about progress, and how it receives the finished video. No platform types here.

export type Mode = 'std' | 'pro';

/**
 * A file a user supplied. `fetch` is lazy so the core decides when (and whether) to download, and
 * adapters keep platform auth (Slack bot tokens, Discord CDN rules) to themselves.
 */
export interface AttachmentRef {
  /** Original file name as the user sent it, for messages and type hints only. */
  name: string;
  /** Declared MIME type from the platform, if any. Never trusted on its own. */
  contentType?: string;
  /** Declared size in bytes, if any. Checked again while downloading. */
  size?: number;
  /** Where it came from (URL or local path), for logs. */
  source: string;
  /** Downloads the bytes, refusing anything above `maxBytes`. */
  fetch(maxBytes: number): Promise<Buffer>;
}

/** Where replies go. `adapter` picks the ChatAdapter; the rest is opaque to the core. */
export interface ReplyTarget {
  adapter: string;
  /** Adapter-defined, JSON-serialisable: channel id, thread id, interaction token… */
  address: Record<string, string | number | boolean>;
}

export interface Requester {
  id: string;
  displayName: string;
  /** Server or workspace the request came from, when there is one. */
  tenantId?: string;
  /**
   * Facts for team controls (src/controls), supplied by the platform: role or user-group ids, and
   * whether the platform calls this user an admin. Absent facts only pass where no rule is set.
   */
  roles?: string[];
  isAdmin?: boolean;
}

/** One `/avatar` request as every adapter hands it to the core. */
export interface AvatarRequest {
  /**
   * Stable key for this delivery of the request (platform interaction id, Slack trigger id…).
   * A second request with the same key is the same job: platforms retry, users double-click.
   */
  idempotencyKey: string;
  requester: Requester;
  replyTo: ReplyTarget;
  image: AttachmentRef;
  voice?: AttachmentRef;
  /** Text for the avatar to speak, used when there is no voice note. */
  text?: string;
  prompt?: string;
  mode?: Mode;
  /** BCP 47-ish locale for replies ("en-US", "ar"). */
  locale?: string;
  /** Channel the request came from, for allowed-channel rules and usage per channel. */
  channelId?: string;
  /**
   * The requester already affirmed, in the request itself (a form checkbox; the terminal operator
   * by configuration), that they are the person shown or have that person's consent.
   */
  consentGiven?: boolean;
  /** Reference to the raw platform payload, for debugging only. */
  raw?: unknown;
}

/** Job life cycle as adapters see it. */
export type JobPhase =
  | 'accepted'
  | 'preparing'
  | 'prepared'
  | 'awaiting_confirmation'
  | 'submitting'
  | 'submitted'
  | 'processing'
  | 'downloading'
  | 'delivering'
  | 'delivered'
  | 'failed'
  | 'cancelled';

/** What the requester can answer to a job in 'awaiting_confirmation' (buttons, shell commands). */
export type JobAction = 'confirm' | 'cancel' | 'consent';

/** Where a tenant wants finished videos posted; adapters honour what their platform allows. */
export type ResultVisibility = 'thread' | 'channel' | 'dm';

/** A progress report for an adapter to show. Text is already localised by the core. */
export interface JobUpdate {
  jobId: string;
  phase: JobPhase;
  text: string;
  replyTo: ReplyTarget;
  requester: Requester;
  locale: string | undefined;
  mode: Mode;
  audioSeconds?: number;
  estimatedCost?: number;
  elapsedMs?: number;
  /** Long voice notes made as several parts: how many are rendered so far. */
  parts?: { done: number; total: number };
  /** Present when phase is 'failed' or 'cancelled' (code JOB_CANCELLED, CONFIRM_EXPIRED…). */
  error?: { code: string; message: string; charged: boolean };
  /** Present when phase is 'awaiting_confirmation': the answers to offer. */
  actions?: JobAction[];
  /** When an unconfirmed job expires without cost (epoch ms), with `actions`. */
  expiresAt?: number;
  /** The tenant's result visibility setting at the time the job was accepted. */
  visibility?: ResultVisibility;
}

export interface VideoResult {
  jobId: string;
  /** Local file, already downloaded from the video service. */
  path: string;
  bytes: number;
  durationSeconds: number;
  mode: Mode;
  caption: string;
}

export interface DeliveryReceipt {
  /** Where the video ended up (message id, file path, URL) for the job record. */
  location: string;
}

/**
 * What an adapter implements so the core can talk back. `deliver` may be called again for the same
 * job after a crash in the middle of it, so it should be idempotent per `video.jobId`.
 */
export interface ChatAdapter {
  readonly name: string;
  update(update: JobUpdate): Promise<void>;
  deliver(video: VideoResult, update: JobUpdate): Promise<DeliveryReceipt>;
  /**
   * Optional: rebuilds an input handle from what the job record keeps, when the in-memory handle is
   * gone: after a restart before the input was saved, or on another instance sharing the queue (the
   * instance that accepted a job is not always the one that prepares it). The adapter applies the
   * same checks as for a fresh attachment; undefined when the input cannot be fetched again.
   */
  reviveAttachment?(
    input: Pick<AttachmentRef, 'name' | 'source' | 'contentType' | 'size'>,
    role: 'image' | 'voice',
  ): AttachmentRef | undefined;
}
