// Create-request validation in two passes: the cheap synchronous shape checks (fields, types,
// lengths, uniqueness) first, then the media checks that need downloads, sharp and ffprobe.
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ParamError } from './http.js';
import { AUDIO_MAX_BYTES, checkImage, IMAGE_MAX_BYTES, loadInput, sniffAudio } from './media.js';
import { type ProcessRunner, probeMedia } from './proc.js';
import type { Mode } from './types.js';

export const PROMPT_MAX_CHARS = 2500;
export const AUDIO_MIN_SECONDS = 2;

export interface CreateFields {
  image: string;
  audioId?: string;
  soundFile?: string;
  prompt?: string;
  mode: Mode;
  callbackUrl?: string;
  externalTaskId?: string;
}

export interface ValidateDeps {
  requirePrompt: boolean;
  maxAudioSeconds: number;
  isExternalIdTaken(id: string): boolean;
  lookupAudio(audioId: string): { path: string; seconds: number } | undefined;
  runner: ProcessRunner;
  ffprobePath: string;
  inputDir: string;
  signal: AbortSignal;
}

export interface PreparedInputs {
  imagePath: string;
  audioPath: string;
  audioSeconds: number;
  /** Files this task created and may delete once rendered (never TTS output, which outlives tasks). */
  ownedFiles: string[];
}

/** Absent, null and '' all count as "not given", which is how Kling treats empty strings. */
function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ParamError(1201, `${key} must be a string`);
  return value;
}

export function checkCreateShape(body: Record<string, unknown>, deps: ValidateDeps): CreateFields {
  const image = optionalString(body, 'image');
  if (!image) throw new ParamError(1200, 'image is required');
  const audioId = optionalString(body, 'audio_id');
  const soundFile = optionalString(body, 'sound_file');
  if (audioId && soundFile) throw new ParamError(1201, 'audio_id and sound_file cannot both be set');
  if (!audioId && !soundFile) throw new ParamError(1200, 'one of audio_id or sound_file is required');

  const prompt = optionalString(body, 'prompt');
  if (!prompt && deps.requirePrompt) throw new ParamError(1200, 'prompt is required');
  if (prompt && [...prompt].length > PROMPT_MAX_CHARS)
    throw new ParamError(1201, `prompt must be at most ${PROMPT_MAX_CHARS} characters`);

  const mode = optionalString(body, 'mode') ?? 'std';
  if (mode !== 'std' && mode !== 'pro') throw new ParamError(1201, 'mode must be "std" or "pro"');

  const callbackUrl = optionalString(body, 'callback_url');
  if (callbackUrl !== undefined && !isHttpUrl(callbackUrl))
    throw new ParamError(1201, 'callback_url must be a valid http(s) URL');

  const watermark = body.watermark_info;
  if (
    watermark !== undefined &&
    watermark !== null &&
    (typeof watermark !== 'object' || typeof (watermark as { enabled?: unknown }).enabled !== 'boolean')
  )
    throw new ParamError(1201, 'watermark_info must be an object with a boolean "enabled"');
  // CometAPI's extra `task_id` field is accepted and ignored: its meaning is undocumented.
  optionalString(body, 'task_id');

  const externalTaskId = optionalString(body, 'external_task_id');
  if (externalTaskId !== undefined && deps.isExternalIdTaken(externalTaskId))
    throw new ParamError(1201, 'external_task_id already exists');

  return { image, audioId, soundFile, prompt, mode, callbackUrl, externalTaskId };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Downloads/decodes and checks image and audio; on any problem removes what it wrote and throws. */
export async function prepareCreateMedia(fields: CreateFields, deps: ValidateDeps): Promise<PreparedInputs> {
  const owned: string[] = [];
  try {
    const imageBytes = await loadInput('image', fields.image, IMAGE_MAX_BYTES, deps.signal);
    const image = await checkImage(imageBytes);
    const imagePath = path.join(deps.inputDir, `${randomUUID()}.${image.format}`);
    owned.push(imagePath);
    await writeFile(imagePath, imageBytes);

    let audioPath: string;
    let audioSeconds: number;
    if (fields.audioId !== undefined) {
      const audio = deps.lookupAudio(fields.audioId);
      if (!audio) throw new ParamError(1201, 'audio_id not found or expired');
      audioPath = audio.path;
      audioSeconds = audio.seconds;
    } else {
      const bytes = await loadInput('sound_file', fields.soundFile ?? '', AUDIO_MAX_BYTES, deps.signal);
      const format = sniffAudio(bytes);
      if (!format) throw new ParamError(1201, 'sound_file format must be mp3, wav, m4a or aac');
      audioPath = path.join(deps.inputDir, `${randomUUID()}.${format}`);
      owned.push(audioPath);
      await writeFile(audioPath, bytes);
      const probe = await probeMedia(deps.runner, deps.ffprobePath, audioPath);
      if (!probe?.hasAudio) throw new ParamError(1201, 'sound_file could not be decoded as audio');
      audioSeconds = probe.duration;
    }
    if (audioSeconds < AUDIO_MIN_SECONDS || audioSeconds > deps.maxAudioSeconds)
      throw new ParamError(
        1201,
        `audio duration ${audioSeconds.toFixed(2)} s is outside ${AUDIO_MIN_SECONDS}-${deps.maxAudioSeconds} s`,
      );
    return { imagePath, audioPath, audioSeconds, ownedFiles: owned };
  } catch (error) {
    await Promise.all(owned.map((file) => rm(file, { force: true })));
    throw error;
  }
}
