// What the job engine needs from the outside world, as narrow interfaces: the real Kling client and
// media modules satisfy them, and so can a test's instrumented stand-in at the network edge.
import type { Config } from '../config.js';
import type { TeamControls } from '../controls/controls.js';
import type { AttachmentRef, ChatAdapter } from '../core/types.js';
import type { AvatarTaskBody, KlingAudio, KlingTask, TtsBody } from '../kling/types.js';
import type { Logger } from '../logger.js';
import type { Pause } from '../media/detect-pauses.js';
import type { JoinInput, JoinResult } from '../media/join-parts.js';
import type { AudioPartFile, AudioPartSpec } from '../media/split-audio.js';
import type { Semaphore } from '../util/semaphore.js';
import type { JobStore } from './job-store.js';
import type { PartsThrottle } from './parts-throttle.js';

/** The provider's wire types, shared with the Kling client so the two cannot drift apart. */
export type { AvatarTaskBody, KlingTaskStatus } from '../kling/types.js';
export type AvatarTask = Pick<KlingTask, 'taskId' | 'status' | 'statusMessage' | 'externalTaskId' | 'videos'>;

export interface AvatarApi {
  createAvatarTask(body: AvatarTaskBody, signal?: AbortSignal): Promise<AvatarTask>;
  getAvatarTask(id: string, signal?: AbortSignal): Promise<AvatarTask>;
  synthesizeSpeech(
    body: TtsBody,
    options?: { signal?: AbortSignal; deadlineMs?: number },
  ): Promise<KlingAudio>;
}

export interface PreparedImageResult {
  buffer: Buffer;
  width: number;
  height: number;
  repairs: string[];
}

export interface PreparedVoiceResult {
  path: string;
  bytes: number;
  durationSeconds: number;
  repairs: string[];
}

export interface MediaPort {
  prepareImage(input: Buffer): Promise<PreparedImageResult>;
  prepareVoice(
    input: { path: string; name: string; contentType?: string },
    workDir: string,
  ): Promise<PreparedVoiceResult>;
  /** Duration in seconds of a finished video, for the output check. */
  videoDuration(path: string): Promise<number | undefined>;
  /** Long voice notes: where the pauses are, cutting the parts, and joining the rendered parts. */
  detectPauses(audioPath: string, totalSeconds: number): Promise<Pause[]>;
  splitAudio(audioPath: string, parts: AudioPartSpec[], outDir: string): Promise<AudioPartFile[]>;
  joinParts(input: JoinInput): Promise<JoinResult>;
}

export interface AdapterRegistry {
  get(name: string): ChatAdapter | undefined;
}

/** Everything a step needs; built once by the composition root. */
export interface RunnerContext {
  config: Config;
  store: JobStore;
  api: AvatarApi;
  media: MediaPort;
  adapters: AdapterRegistry;
  logger: Logger;
  mediaLimit: Semaphore;
  submitLimit: Semaphore;
  /** Parts of one long voice note rendering at once; lowered after a rate limit. */
  partsThrottle?: PartsThrottle;
  /** Attachments of just-accepted jobs, held in memory until their bytes are saved locally. */
  pendingInputs: Map<string, { image: AttachmentRef; voice?: AttachmentRef }>;
  /** Base URL the provider calls back (PUBLIC_URL, or the local server when the emulator runs). */
  callbackBaseUrl: string | undefined;
  /** Where a job's files live: DATA_DIR/jobs/<id>. */
  jobDir(jobId: string): string;
  /** Team controls (budgets, confirmation, consent). Absent: every prepared job is submitted at once. */
  controls?: TeamControls;
}

/** What a step asks the runner to do next. */
export type StepOutcome =
  | { kind: 'continue' }
  /** `providerBusy`: the provider said it is at its rate or concurrency limit (1302/1303, 429). */
  | { kind: 'wait'; delayMs: number; providerBusy?: boolean }
  | { kind: 'stop' };
