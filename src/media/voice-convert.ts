// The single ffmpeg pass behind prepareVoice: decode the first audio stream, encode a mono MP3, and
// measure on the way (decoded length, peak level), so checking costs no second decode.
import path from 'node:path';
import { AvatarError } from '../errors.js';
import { fileUrl, type MediaProbe } from './probe.js';
import { runTool, ToolError } from './run.js';
import type { MediaTools } from './tools.js';

const BITRATE = '96k';
const CONVERT_TIMEOUT_MS = 60_000;

export interface Measured {
  /** End of the encoded output: exact to an MP3 frame (24 ms at 48 kHz), padding included. */
  outTimeSeconds: number;
  /** Decoded samples over all channels, as volumedetect counted them before the downmix. */
  decodedSamples?: number;
  maxVolumeDb: number;
}

/**
 * Exact seconds from the decoded sample count, so a 60.000 s note is not refused for the padding
 * of its last MP3 frame. The output time is the fallback when the two disagree, which happens when
 * the stream changes format midway and volumedetect starts counting again.
 */
export function decodedLength(m: Measured, probe: MediaProbe): { seconds: number; maxVolumeDb: number } {
  const audio = probe.audioStreams[0];
  const perSecond = (audio?.channels ?? 0) * (audio?.sampleRate ?? 0);
  const fromSamples =
    m.decodedSamples !== undefined && perSecond > 0 ? m.decodedSamples / perSecond : undefined;
  const seconds =
    fromSamples !== undefined && Math.abs(fromSamples - m.outTimeSeconds) < 0.1
      ? fromSamples
      : m.outTimeSeconds;
  return { seconds, maxVolumeDb: m.maxVolumeDb };
}

/**
 * Decodes the first audio stream once, writing the MP3 while measuring the decoded duration
 * (`-progress` out_time) and the peak level (volumedetect). `-t` bounds the work on endless input.
 */
export async function convertToMp3(
  tools: MediaTools,
  inPath: string,
  outPath: string,
  capSeconds: number,
  signal: AbortSignal,
): Promise<Measured> {
  const { stdout, stderr } = await runTool(
    tools.ffmpeg,
    [
      ...['-hide_banner', '-nostdin', '-nostats', '-n'],
      ...['-t', String(capSeconds), '-i', fileUrl(inPath)],
      ...['-map', '0:a:0', '-vn', '-sn', '-dn', '-map_metadata', '-1'],
      ...['-ac', '1', '-af', 'volumedetect', '-c:a', 'libmp3lame', '-b:a', BITRATE],
      ...['-progress', 'pipe:1', '-f', 'mp3', fileUrl(outPath)],
    ],
    { timeoutMs: CONVERT_TIMEOUT_MS, signal },
  ).catch((error: unknown) => {
    // Failing to write our own output (missing or full work directory) is not the user's fault.
    if (error instanceof ToolError && error.details.stderrTail.includes(path.basename(outPath)))
      throw new AvatarError('INTERNAL', `ffmpeg could not write ${outPath}: ${error.details.stderrTail}`, {
        cause: error,
      });
    throw error;
  });
  const outTimes = [...stdout.matchAll(/^out_time_us=(\d+)$/gm)];
  const lastOutTime = outTimes.at(-1)?.[1];
  const peak = /max_volume: (-?[\d.]+|-inf) dB/.exec(stderr)?.[1];
  const samples = /n_samples: (\d+)/.exec(stderr)?.[1];
  return {
    outTimeSeconds: lastOutTime === undefined ? 0 : Number(lastOutTime) / 1e6,
    ...(samples === undefined ? {} : { decodedSamples: Number(samples) }),
    maxVolumeDb: peak === undefined || peak === '-inf' ? Number.NEGATIVE_INFINITY : Number(peak),
  };
}
