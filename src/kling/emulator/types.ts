// Public option/result shapes of the Kling emulator plus the internal task record. Kept apart from
// server.ts so every module can import the types without importing the server.
import type { Logger } from '../../logger.js';

export interface EmulatorOptions {
  host?: string;
  port?: number;
  /** If set, require `Authorization: Bearer <apiKey>`; if unset, any non-empty bearer works. */
  apiKey?: string;
  /** CometAPI documents 60 s; Kling itself says 300 s. */
  maxAudioSeconds?: number;
  /** One CometAPI page says requests without prompt are rejected, so that is the default. */
  requirePrompt?: boolean;
  submittedMs?: number;
  /**
   * Minimum time in 'processing'; the render must also have finished before the task succeeds. A
   * function is called once per task (e.g. a random 20-40 s, as Kling's render times vary).
   */
  processingMs?: number | (() => number);
  /**
   * false: one ffmpeg render (of the first task's inputs) is shared by every task, for load benches
   * with thousands of tasks that would otherwise queue thousands of encodes. Default true.
   */
  renderVideos?: boolean;
  workDir: string;
  ffmpegPath: string;
  ffprobePath: string;
  /** Without it (or if it fails to run) TTS falls back to a sine tone of plausible length. */
  espeakPath?: string;
  /** Seeds the RNG behind probabilistic faults so tests replay the same faults. */
  seed?: number;
  logger?: Logger;
}

export interface FaultSettings {
  /** Each rate is 0..1 and applies per API request (create, query, tts). */
  http429Rate: number;
  http5xxRate: number;
  timeoutRate: number;
  malformedJsonRate: number;
  htmlRate: number;
  /** Create requests only: the task IS created but the client is told 500. */
  createThenFailRate: number;
  /** The next N creates (that no other fault took) are created and answered 500, whatever the rate. */
  createThenFailNext: number;
  /** How long a 'timeout' fault holds the response before destroying the socket. */
  timeoutMs: number;
  /**
   * The next API requests get these faults, one each, in order, whatever the rates: a storm test
   * can then rely on every kind firing at least once.
   */
  forceNext: Array<'429' | '5xx' | 'timeout' | 'malformed' | 'html'>;
  /** The next N created tasks end in 'failed' (decremented as used). */
  failNextTasks: number;
  failMessage: string;
  duplicateCallbacks: boolean;
  callbackDelayMs: number;
  callbackBeforeCreateResponse: boolean;
  /** One-shot: the next create request is answered with exactly this and creates nothing. */
  nextCreateError: null | { status: number; body: unknown };
}

export interface EmulatorStats {
  /** Tasks created (including create-then-fail ones). */
  creates: number;
  /** Authenticated create requests that did not create a task (validation, injected faults, 413). */
  rejectedCreates: number;
  /** Authenticated task query requests, whatever the answer. */
  queries: number;
  /** TTS tasks created. */
  ttsCreates: number;
  /** Callback POSTs answered with 2xx. */
  callbacksSent: number;
  /** Callback POSTs that got a non-2xx answer or no answer. */
  callbacksFailed: number;
  /** Create requests received per external_task_id, whatever their outcome (shows resubmissions). */
  createsByExternalId: Record<string, number>;
  /** Injected faults by kind ('429', '5xx', 'timeout', 'malformed', 'html', 'createThenFail', ...). */
  faultsInjected: Record<string, number>;
}

export interface EmulatorTaskSummary {
  taskId: string;
  externalTaskId?: string;
  status: string;
  mode: string;
  audioSeconds: number;
  createdAt: number;
  /** When the status last changed: for a 'succeed' task, the moment it succeeded. */
  updatedAt: number;
}

export interface KlingEmulator {
  /** e.g. 'http://127.0.0.1:43121'; API routes live under `${url}/kling/v1/...`. */
  readonly url: string;
  setFaults(partial: Partial<FaultSettings>): void;
  resetFaults(): void;
  stats(): EmulatorStats;
  tasks(): EmulatorTaskSummary[];
  /** Stops the server, clears every timer, kills running ffmpeg. */
  close(): Promise<void>;
}

export type TaskStatus = 'submitted' | 'processing' | 'succeed' | 'failed';
export type Mode = 'std' | 'pro';

export interface VideoResult {
  id: string;
  url: string;
  duration: string;
}

export interface TaskRecord {
  taskId: string;
  externalTaskId?: string;
  status: TaskStatus;
  statusMsg: string;
  mode: Mode;
  audioSeconds: number;
  callbackUrl?: string;
  createdAt: number;
  updatedAt: number;
  video?: VideoResult;
  /** Decided at creation (failNextTasks) so later fault changes do not affect running tasks. */
  failWith?: string;
  minProcessingElapsed: boolean;
  renderState: 'pending' | 'done' | 'error';
}
