// Cuts a prepared voice note into part MP3s at planned points, sample-accurately: one decode, an
// asplit, and an atrim per part counted in samples, so the parts tile the note with no sample lost
// or repeated. Each part is encoded like a prepared note (mono MP3, 96 kb/s).
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { fileUrl, probeMedia } from './probe.js';
import { runTool } from './run.js';
import type { MediaTools } from './tools.js';
import { formatMb } from './units.js';

export interface AudioPartSpec {
  startSeconds: number;
  durationSeconds: number;
}

export interface AudioPartFile {
  path: string;
  bytes: number;
  /** Exact length in samples over the sample rate (the encoder's padding not counted). */
  durationSeconds: number;
  startSeconds: number;
}

const PART_BITRATE = '96k';
const SPLIT_TIMEOUT_MS = 120_000;

export async function splitAudio(
  tools: MediaTools,
  audioPath: string,
  parts: readonly AudioPartSpec[],
  outDir: string,
  maxBytes: number,
): Promise<AudioPartFile[]> {
  const probe = await probeMedia(tools, audioPath);
  const rate = probe.audioStreams[0]?.sampleRate;
  if (!rate) throw new Error(`no audio stream in ${audioPath}`);
  // Boundaries in samples: each part ends exactly where the next begins; the last runs to the end.
  const bounds = parts.map((p) => Math.round(p.startSeconds * rate));
  const labels = parts.map((_, i) => `[s${i}]`).join('');
  const trims = parts.map((_, i) => {
    const end = bounds[i + 1];
    const range = `start_sample=${bounds[i]}${end === undefined ? '' : `:end_sample=${end}`}`;
    return `[s${i}]atrim=${range},asetpts=PTS-STARTPTS[o${i}]`;
  });
  const files = parts.map((_, i) => path.join(outDir, `part-${i + 1}.mp3`));
  await runTool(
    tools.ffmpeg,
    [
      ...['-hide_banner', '-nostdin', '-nostats', '-v', 'error', '-y', '-i', fileUrl(audioPath)],
      ...['-filter_complex', `[0:a]asplit=${parts.length}${labels};${trims.join(';')}`],
      ...files.flatMap((file, i) => [
        ...['-map', `[o${i}]`, '-map_metadata', '-1', '-ac', '1'],
        ...['-c:a', 'libmp3lame', '-b:a', PART_BITRATE, '-f', 'mp3', fileUrl(file)],
      ]),
    ],
    { timeoutMs: SPLIT_TIMEOUT_MS },
  );
  return Promise.all(
    files.map(async (file, i) => {
      const { size } = await stat(file);
      if (size > maxBytes)
        throw new InputError('VOICE_FILE_TOO_BIG', `part ${i + 1} is ${size} bytes`, {
          params: { sizeMb: formatMb(size), maxMb: formatMb(maxBytes) },
        });
      const start = bounds[i] ?? 0;
      const spec = parts[i];
      const end = bounds[i + 1];
      const durationSeconds = end === undefined ? (spec?.durationSeconds ?? 0) : (end - start) / rate;
      return { path: file, bytes: size, durationSeconds, startSeconds: start / rate };
    }),
  );
}
