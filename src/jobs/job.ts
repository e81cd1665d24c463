// The durable job record: everything needed to resume a request after a restart without asking the
// user again and without submitting twice. Stored as JSON, so only plain data lives here.
import type { JobControls } from '../controls/types.js';
import type { JobPhase, Mode, ReplyTarget, Requester } from '../core/types.js';
import type { JobPart } from './parts.js';

export type JobState = JobPhase;

export const TERMINAL_STATES: ReadonlySet<JobState> = new Set(['delivered', 'failed', 'cancelled']);

/** States in which the provider may already hold (and bill) a task for this job. */
export const SUBMITTED_STATES: ReadonlySet<JobState> = new Set([
  'submitting',
  'submitted',
  'processing',
  'downloading',
  'delivering',
  'delivered',
]);

export interface InputMeta {
  name: string;
  contentType?: string;
  size?: number;
  source: string;
  /** Local copy, downloaded when the job was accepted (platform links expire). */
  path?: string;
}

export interface Job {
  id: string;
  idempotencyKey: string;
  state: JobState;
  createdAt: number;
  updatedAt: number;
  requester: Requester;
  replyTo: ReplyTarget;
  locale?: string;
  mode: Mode;
  prompt: string;
  input: { image: InputMeta; voice?: InputMeta; text?: string };
  /** Secret path segment of this job's callback URL. */
  callbackToken: string;
  prepared?: {
    imagePath: string;
    imageWidth: number;
    imageHeight: number;
    audioPath?: string;
    audioId?: string;
    audioSeconds: number;
    repairs: string[];
  };
  /** Set when the voice note is longer than one task allows: one task per part, joined at the end. */
  parts?: JobPart[];
  estimatedCost?: number;
  kling?: {
    taskId?: string;
    submittedAt?: number;
    status?: string;
    statusMessage?: string;
    polls: number;
    lastPollAt?: number;
    /** Earliest time of the next poll, so a restart keeps the back-off instead of hammering. */
    nextPollAt?: number;
    reconcileAttempts?: number;
  };
  result?: { url: string; path?: string; bytes?: number; durationSeconds?: number };
  delivery?: { attempts: number; location?: string; deliveredAt?: number };
  error?: { code: string; message: string; charged: boolean };
  /** Team controls: tenant, consent, confirmation deadline, spend (absent on jobs from older versions). */
  controls?: JobControls;
}

export function isTerminal(job: Pick<Job, 'state'>): boolean {
  return TERMINAL_STATES.has(job.state);
}
