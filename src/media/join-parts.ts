// Joins the rendered parts of a long voice note into one MP4. Only the parts' VIDEO is concatenated;
// the audio track is the original prepared note, whole, trimmed to its exact length. The sound is
// therefore continuous by construction (no gap or click at a join); only the picture may cut.
//
// Each part's video is placed at the part's planned start in the note, so lip sync does not drift
// from join to join. Parts usually render a little longer than planned (the provider measures the
// MP3 with its encoder padding and rounds up to a frame), and a stream copy cannot drop those extra
// frames cleanly (B-frames), so the video is re-encoded with every part trimmed or padded to its
// exact length. Only when the parts share one encoding and none overshoots its slot by more than
// half a frame is the video stream-copied (concat demuxer: seconds of work for minutes of video).
import { rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileUrl, probeMedia } from './probe.js';
import { runTool } from './run.js';
import type { MediaTools } from './tools.js';

export interface JoinInput {
  /** Rendered parts, in order. */
  videoPaths: string[];
  /** Planned length of each part (its audio), in seconds. */
  partSeconds: number[];
  /** The whole prepared voice note. */
  audioPath: string;
  audioSeconds: number;
  outPath: string;
  /** 'auto' (default) copies the video when it can; 'reencode' always re-encodes it. */
  mode?: 'auto' | 'reencode';
}

export interface JoinResult {
  durationSeconds: number;
  bytes: number;
  method: 'copy' | 'reencode';
}

interface VideoInfo {
  key: string;
  width: number;
  height: number;
  fps: string;
  fpsValue: number;
  duration: number;
}

const JOIN_TIMEOUT_MS = 15 * 60_000;
/** A copied part may end this much before its slot (the last frame is held), never after it. */
const COPY_MAX_SHORTFALL_SECONDS = 0.1;
const MAX_DRIFT_SECONDS = 0.1;
const DTS_WARNING = /non[- ]monoton/i;

export async function joinParts(
  tools: MediaTools,
  input: JoinInput,
  signal?: AbortSignal,
): Promise<JoinResult> {
  if (input.videoPaths.length === 0 || input.videoPaths.length !== input.partSeconds.length)
    throw new Error('joinParts needs one planned length per part video');
  const infos = await Promise.all(input.videoPaths.map((p) => probeVideo(tools, p)));
  const first = infos[0] as VideoInfo;
  const copyable =
    input.mode !== 'reencode' &&
    infos.every((info, i) => {
      const slot = input.partSeconds[i] ?? 0;
      const last = i === infos.length - 1; // the last part is cut by -t anyway
      return (
        info.key === first.key &&
        (last || info.duration <= slot + 0.5 / info.fpsValue) &&
        info.duration >= slot - COPY_MAX_SHORTFALL_SECONDS
      );
    });
  if (copyable) {
    const listPath = `${input.outPath}.parts.txt`;
    // A copy that fails, warns about timestamps or comes out the wrong length falls back to re-encoding.
    const stderr = await runTool(tools.ffmpeg, await copyArgs(input, listPath), runOptions(signal)).then(
      (r) => r.stderr,
      (error: unknown) => {
        if (signal?.aborted) throw error;
        return undefined;
      },
    );
    await rm(listPath, { force: true });
    const clean = stderr !== undefined && !DTS_WARNING.test(stderr);
    const copied = clean ? await checkedResult(tools, input, 'copy') : undefined;
    if (copied) return copied;
  }
  await runTool(tools.ffmpeg, reencodeArgs(input, first), runOptions(signal));
  const result = await checkedResult(tools, input, 'reencode');
  if (!result) throw new Error(`joined video does not last the audio's ${input.audioSeconds} s`);
  return result;
}

/** The output's figures, or undefined when its length strays from the audio's. */
async function checkedResult(
  tools: MediaTools,
  input: JoinInput,
  method: JoinResult['method'],
): Promise<JoinResult | undefined> {
  const durationSeconds = (await probeMedia(tools, input.outPath)).durationSeconds ?? 0;
  if (Math.abs(durationSeconds - input.audioSeconds) > MAX_DRIFT_SECONDS) return undefined;
  return { durationSeconds, bytes: (await stat(input.outPath)).size, method };
}

function runOptions(signal: AbortSignal | undefined) {
  return { timeoutMs: JOIN_TIMEOUT_MS, ...(signal ? { signal } : {}) };
}

const COMMON = ['-hide_banner', '-nostdin', '-nostats', '-v', 'warning', '-y'];
/** AAC from the whole note; the 'fast' coder is about 3x quicker than the default at 128 kb/s mono. */
function audioOut(input: JoinInput): string[] {
  return [
    ...['-c:a', 'aac', '-aac_coder', 'fast', '-b:a', '128k', '-t', input.audioSeconds.toFixed(6)],
    ...['-movflags', '+faststart', '-f', 'mp4', fileUrl(input.outPath)],
  ];
}

/** Concat demuxer: each part's `duration` is its planned length, so part n starts where its audio does. */
async function copyArgs(input: JoinInput, listPath: string): Promise<string[]> {
  const lines = ['ffconcat version 1.0'];
  input.videoPaths.forEach((p, i) => {
    lines.push(`file '${path.resolve(p).replaceAll("'", "'\\''")}'`);
    lines.push(`duration ${(input.partSeconds[i] ?? 0).toFixed(6)}`);
  });
  await writeFile(listPath, `${lines.join('\n')}\n`);
  return [
    ...COMMON,
    ...['-f', 'concat', '-safe', '0', '-i', fileUrl(listPath), '-i', fileUrl(input.audioPath)],
    ...['-map', '0:v:0', '-map', '1:a:0', '-c:v', 'copy'],
    ...audioOut(input),
  ];
}

/** Concat filter: every part scaled to the first one's frame, at its fps, cut or padded to its length. */
function reencodeArgs(input: JoinInput, first: VideoInfo): string[] {
  const { width: w, height: h, fps } = first;
  const chains = input.partSeconds.map(
    (seconds, i) =>
      `[${i}:v:0]fps=${fps},scale=${w}:${h}:force_original_aspect_ratio=decrease,` +
      `pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1,tpad=stop_mode=clone:stop_duration=2,` +
      `trim=duration=${seconds.toFixed(6)},setpts=PTS-STARTPTS[v${i}]`,
  );
  const n = input.videoPaths.length;
  const graph = `${chains.join(';')};${chains.map((_, i) => `[v${i}]`).join('')}concat=n=${n}:v=1:a=0[v]`;
  return [
    ...COMMON,
    ...input.videoPaths.flatMap((p) => ['-i', fileUrl(p)]),
    ...['-i', fileUrl(input.audioPath), '-filter_complex', graph],
    ...['-map', '[v]', '-map', `${n}:a:0`],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p'],
    ...audioOut(input),
  ];
}

interface RawVideoStream {
  codec_name?: string;
  profile?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  time_base?: string;
  duration?: string;
  extradata_hash?: string;
}

/** The first video stream's encoding (as one comparable key) and length. */
async function probeVideo(tools: MediaTools, file: string): Promise<VideoInfo> {
  const { stdout } = await runTool(
    tools.ffprobe,
    [
      ...['-v', 'error', '-select_streams', 'v:0', '-show_data_hash', 'md5', '-of', 'json'],
      '-show_entries',
      'stream=codec_name,profile,width,height,pix_fmt,r_frame_rate,time_base,duration,extradata_hash',
      ...['-i', fileUrl(file)],
    ],
    { timeoutMs: 20_000 },
  );
  const raw = JSON.parse(stdout) as { streams?: RawVideoStream[] };
  const s = raw.streams?.[0];
  if (!s?.width || !s.height) throw new Error(`no video stream in ${file}`);
  const duration = Number(s.duration);
  const fps = /^[1-9]\d*\/[1-9]\d*$/.test(s.r_frame_rate ?? '') ? (s.r_frame_rate as string) : '25';
  const [num, den] = fps.split('/').map(Number);
  return {
    key: [
      s.codec_name,
      s.profile,
      s.width,
      s.height,
      s.pix_fmt,
      s.r_frame_rate,
      s.time_base,
      s.extradata_hash,
    ].join('|'),
    width: s.width,
    height: s.height,
    fps,
    fpsValue: (num ?? 25) / (den ?? 1),
    duration: Number.isFinite(duration) ? duration : 0,
  };
}
