// Turns whatever voice recording a user sent into a mono MP3 that Kling accepts, and refuses it (with
// a reason the user can act on) before any money is spent: unreadable, no sound, a video, silent,
// too short, too long, too big. One ffprobe and one ffmpeg pass; durations come from decoding.
import { randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { AvatarError, InputError } from '../errors.js';
import { type MediaProbe, probeMedia } from './probe.js';
import { ToolError } from './run.js';
import type { MediaTools } from './tools.js';
import { formatMb, formatSeconds } from './units.js';
import { convertToMp3, decodedLength } from './voice-convert.js';

export interface PreparedVoice {
  path: string;
  bytes: number;
  durationSeconds: number;
  originalFormat: string;
  repairs: string[];
}

/**
 * The per-task limits, plus the longest note accepted at all when long notes are split into parts
 * (`maxTotalSeconds`, default `maxSeconds`). The byte limit applies to audio sent in one piece; a
 * note that will be split is checked part by part instead.
 */
export type VoiceLimits = Config['audio'] & { maxTotalSeconds?: number };

export interface VoiceInput {
  path: string;
  /** The user's file name: its extension says what they think they sent. */
  name: string;
  contentType?: string;
}

/** Peak level below which a recording counts as silence (real speech peaks far above -30 dB). */
export const SILENCE_MAX_VOLUME_DB = -50;

const AUDIO_EXTENSIONS = new Set([
  'mp3',
  'm4a',
  'aac',
  'wav',
  'flac',
  'ogg',
  'oga',
  'opus',
  'weba',
  'mka',
  'amr',
]);
const VIDEO_EXTENSIONS = new Set(['mp4', 'm4v', 'mov', 'webm', 'mkv', '3gp', 'avi']);

export async function prepareVoice(
  input: VoiceInput,
  tools: MediaTools,
  limits: VoiceLimits,
  workDir: string,
): Promise<PreparedVoice> {
  const acceptSeconds = Math.max(limits.maxSeconds, limits.maxTotalSeconds ?? limits.maxSeconds);
  const outPath = path.join(workDir, `voice-${randomUUID()}.mp3`);
  // The conversion starts alongside the probe: ffprobe's start-up alone (mostly the dynamic linker)
  // costs about 60 ms of CPU, over a tenth of converting a 60 s note. A probe verdict still wins;
  // the conversion is then killed and its output deleted. `capSeconds` bounds work on endless input.
  const abort = new AbortController();
  const capSeconds = acceptSeconds + 2;
  const conversion = convertToMp3(tools, input.path, outPath, capSeconds, abort.signal);
  conversion.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
  try {
    const probe = await probeOrRefuse(tools, input.path, abort.signal);
    const plan = checkProbe(probe, input, acceptSeconds);
    const measured = decodedLength(
      await conversion.catch((error: unknown) => {
        throw unreadable(error, 'ffmpeg could not decode the voice note');
      }),
      probe,
    );

    if (measured.seconds <= 0)
      throw new InputError('VOICE_UNREADABLE', 'ffmpeg decoded no audio from the voice note');
    if (measured.maxVolumeDb < SILENCE_MAX_VOLUME_DB)
      throw new InputError('VOICE_SILENT', `voice note is silent (peak ${measured.maxVolumeDb} dB)`);
    if (measured.seconds < limits.minSeconds)
      throw new InputError('VOICE_TOO_SHORT', `voice note lasts ${measured.seconds} s`, {
        params: { seconds: formatSeconds(measured.seconds, 'down'), min: limits.minSeconds },
      });
    if (measured.seconds > acceptSeconds) {
      // Decoding stops at the cap; past it, the container's figure (if any) is the better one.
      const cut = measured.seconds >= capSeconds - 0.1;
      const seconds = cut ? Math.max(measured.seconds, probe.durationSeconds ?? 0) : measured.seconds;
      throw new InputError('VOICE_TOO_LONG', `voice note lasts ${seconds} s`, {
        params: { seconds: formatSeconds(seconds, cut ? 'nearest' : 'up'), max: acceptSeconds },
      });
    }
    const { size } = await stat(outPath);
    if (size > limits.maxBytes && measured.seconds <= limits.maxSeconds)
      throw new InputError('VOICE_FILE_TOO_BIG', `converted voice note is ${size} bytes`, {
        params: { sizeMb: formatMb(size), maxMb: formatMb(limits.maxBytes) },
      });

    return {
      path: outPath,
      bytes: size,
      durationSeconds: measured.seconds,
      originalFormat: plan.originalFormat,
      repairs: plan.repairs,
    };
  } catch (error) {
    abort.abort();
    await conversion.catch(() => undefined);
    await rm(outPath, { force: true });
    throw error;
  }
}

async function probeOrRefuse(tools: MediaTools, filePath: string, signal: AbortSignal): Promise<MediaProbe> {
  try {
    return await probeMedia(tools, filePath, { signal });
  } catch (error) {
    throw unreadable(error, 'ffprobe could not read the voice note');
  }
}

/** The checks the container alone can answer; returns what the conversion will have repaired. */
function checkProbe(
  probe: MediaProbe,
  input: VoiceInput,
  maxSeconds: number,
): { originalFormat: string; repairs: string[] } {
  // ffprobe reads a text file named .nfo or .ans as an ANSI-art "video"; that is not a recording.
  if (probe.formatName === 'tty' || (probe.audioStreams.length === 0 && probe.videoStreams.length === 0))
    throw new InputError('VOICE_UNREADABLE', `not a media file (format ${probe.formatName})`);
  const audio = probe.audioStreams[0];
  if (!audio) throw new InputError('VOICE_NO_AUDIO', `no audio stream in ${probe.formatName}`);

  // A single-frame stream is a still picture (cover art without the attached_pic flag), not video.
  const hasVideo = probe.videoStreams.some((v) => v.frames === undefined || v.frames > 1);
  const declared = declaredKind(input);
  if (hasVideo && declared === 'audio')
    throw new InputError('VOICE_IS_VIDEO', `declared as audio but has a video stream (${probe.formatName})`);

  // Only a clearly excessive stated duration: VBR MP3s without a header get estimates that run long.
  const stated = probe.durationSeconds;
  if (stated !== undefined && stated > maxSeconds * 1.25 + 1)
    throw new InputError('VOICE_TOO_LONG', `container says ${stated} s`, {
      params: { seconds: formatSeconds(stated), max: maxSeconds },
    });

  const originalFormat = `${containerName(probe.formatName, input.name)}/${audio.codec}`;
  const repairs = [`converted ${originalFormat} to mp3`];
  if (hasVideo) repairs.push('took the audio track from a video');
  if (probe.audioStreams.length > 1)
    repairs.push(`used the first of ${probe.audioStreams.length} audio tracks`);
  if (audio.channels > 1) repairs.push(`downmixed ${audio.channels} channels to mono`);
  return { originalFormat, repairs };
}

/** What the sender says the file is: the MIME type when it names a kind, else the extension. */
function declaredKind(input: VoiceInput): 'audio' | 'video' | 'unknown' {
  const major = input.contentType?.split('/')[0]?.trim().toLowerCase();
  if (major === 'audio' || major === 'video') return major;
  const ext = extension(input.name);
  if (AUDIO_EXTENSIONS.has(ext)) return 'audio';
  if (VIDEO_EXTENSIONS.has(ext)) return 'video';
  return 'unknown';
}

/** ffprobe names a family ("mov,mp4,m4a,…"); the user's extension picks the member when it is one. */
function containerName(formatName: string, fileName: string): string {
  const names = formatName.split(',');
  const ext = extension(fileName);
  return names.includes(ext) ? ext : (names[0] ?? formatName);
}

function extension(name: string): string {
  return path.extname(name).slice(1).toLowerCase();
}

/** A ToolError becomes a user error only when the tool ran and rejected the input. */
function unreadable(error: unknown, message: string): unknown {
  if (!(error instanceof ToolError)) return error;
  if (error.details.spawnError)
    return new AvatarError('FFMPEG_MISSING', `${message}: ${error.message}`, { cause: error });
  if (error.details.exitCode !== undefined)
    return new InputError('VOICE_UNREADABLE', `${message}: ${error.details.stderrTail}`, { cause: error });
  return new AvatarError('INTERNAL', `${message}: ${error.message}`, {
    cause: error,
    retryable: error.details.timedOut === true,
  });
}
