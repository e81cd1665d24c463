// Public shapes of the CometAPI Kling client: request bodies as the API spells them, results in the
// bot's own camelCase vocabulary. See /work/shared/reference/kling-avatar-api.md §1, §2 and §4.
import type { Dispatcher } from 'undici';
import type { KlingApiError } from '../errors.js';
import type { Logger } from '../logger.js';

/** Kling's task lifecycle; note the spelling `succeed`. `succeed` and `failed` are terminal. */
export type KlingTaskStatus = 'submitted' | 'processing' | 'succeed' | 'failed';

export interface KlingVideo {
  id: string;
  url: string;
  /** Kling sends this as a string of seconds; 0 when it was missing or unreadable. */
  durationSeconds: number;
}

export interface KlingTask {
  taskId: string;
  status: KlingTaskStatus;
  /** Kling's reason text for a failed task; usually empty otherwise. */
  statusMessage: string;
  externalTaskId?: string;
  videos: KlingVideo[];
  /** Unix milliseconds. */
  createdAt?: number;
  updatedAt?: number;
  requestId?: string;
}

/** Body of `POST /kling/v1/videos/avatar/image2video`; send exactly one of `audio_id` and `sound_file`. */
export interface AvatarTaskBody {
  image: string;
  audio_id?: string;
  sound_file?: string;
  prompt: string;
  mode: 'std' | 'pro';
  callback_url?: string;
  external_task_id: string;
}

/** Body of `POST /kling/v1/audio/tts`. */
export interface TtsBody {
  text: string;
  voice_id: string;
  voice_language: 'en' | 'zh';
  voice_speed: number;
}

export interface KlingAudio {
  /** Pass this as `audio_id` when creating the avatar task. */
  audioId: string;
  url?: string;
  durationSeconds: number;
  taskId: string;
}

export interface KlingClientOptions {
  /** e.g. `https://api.cometapi.com`; routes are appended as `/kling/v1/...`. */
  baseUrl: string;
  apiKey: string;
  /** Budget for one HTTP exchange (connect, headers and body). */
  timeoutMs: number;
  /** Extra attempts after the first one, for failures that are safe to retry. */
  maxRetries: number;
  logger: Logger;
  /** Sees every failed attempt, retried or not (the bot lowers its parts concurrency on 429/1303). */
  onAttemptFailed?: (error: KlingApiError) => void;
  dispatcher?: Dispatcher;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}
