// Finds the pauses in a prepared voice note with ffmpeg's silencedetect, so a long note can be cut
// between words. One decode pass; the silence marks go to stdout (ametadata), not to the stderr
// tail, so a long note with hundreds of pauses loses none of them.
import { fileUrl } from './probe.js';
import { runTool } from './run.js';
import type { MediaTools } from './tools.js';

export interface Pause {
  /** Seconds from the first decoded sample. */
  start: number;
  end: number;
}

export interface PauseOptions {
  /** Level below which audio counts as silence. Speech sits far above -35 dB; room noise below. */
  noiseDb?: number;
  /** Shortest silence that counts as a pause; gaps inside words are much shorter than 0.25 s. */
  minPauseSeconds?: number;
  /** Length of the audio, to close a pause that runs to the end of the file. */
  totalSeconds?: number;
  signal?: AbortSignal;
}

export const PAUSE_NOISE_DB = -35;
export const PAUSE_MIN_SECONDS = 0.25;
const DETECT_TIMEOUT_MS = 120_000;

export async function detectPauses(
  tools: MediaTools,
  audioPath: string,
  options: PauseOptions = {},
): Promise<Pause[]> {
  const noise = options.noiseDb ?? PAUSE_NOISE_DB;
  const min = options.minPauseSeconds ?? PAUSE_MIN_SECONDS;
  const { stdout } = await runTool(
    tools.ffmpeg,
    [
      ...['-hide_banner', '-nostdin', '-nostats', '-v', 'error', '-i', fileUrl(audioPath), '-vn'],
      ...['-af', `silencedetect=noise=${noise}dB:d=${min},ametadata=mode=print:file=-`],
      ...['-f', 'null', '-'],
    ],
    { timeoutMs: DETECT_TIMEOUT_MS, ...(options.signal ? { signal: options.signal } : {}) },
  );
  return parseSilenceMarks(stdout, options.totalSeconds);
}

/** Pairs `lavfi.silence_start` / `lavfi.silence_end` marks into pauses, in order. */
export function parseSilenceMarks(text: string, totalSeconds?: number): Pause[] {
  const pauses: Pause[] = [];
  let open: number | undefined;
  for (const match of text.matchAll(/^lavfi\.silence_(start|end)=(-?[\d.]+(?:e-?\d+)?)\s*$/gm)) {
    const value = Math.max(0, Number(match[2]));
    if (!Number.isFinite(value)) continue;
    if (match[1] === 'start') {
      open = value;
    } else if (open !== undefined) {
      if (value > open) pauses.push({ start: open, end: value });
      open = undefined;
    }
  }
  // A note that ends in silence gets a start mark and no end mark.
  if (open !== undefined && totalSeconds !== undefined && totalSeconds > open)
    pauses.push({ start: open, end: totalSeconds });
  return pauses;
}
