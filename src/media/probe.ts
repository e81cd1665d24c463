// Reads a media file's container and streams with ffprobe. Cover art (an MP3's or M4A's embedded
// picture) shows up as a video stream; it is left out so a song file is not mistaken for a video.
import path from 'node:path';
import { runTool } from './run.js';
import type { MediaTools } from './tools.js';

export interface AudioStreamInfo {
  codec: string;
  channels: number;
  sampleRate: number;
}

export interface VideoStreamInfo {
  codec: string;
  width: number;
  height: number;
  /** Frame count when the container states it (MP4 does, Matroska/WebM usually do not). */
  frames?: number;
}

export interface MediaProbe {
  /** ffprobe's demuxer name, e.g. "ogg", "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm". */
  formatName: string;
  /** From the container; may be missing (WebM from a browser recorder) or estimated (VBR MP3). */
  durationSeconds?: number;
  audioStreams: AudioStreamInfo[];
  videoStreams: VideoStreamInfo[];
}

const PROBE_TIMEOUT_MS = 20_000;

interface RawStream {
  codec_type?: string;
  codec_name?: string;
  channels?: number;
  sample_rate?: string;
  width?: number;
  height?: number;
  nb_frames?: string;
  disposition?: { attached_pic?: number };
}

interface RawProbe {
  format?: { format_name?: string; duration?: string };
  streams?: RawStream[];
}

/** Throws ToolError when ffprobe cannot read the file (the caller decides what that means). */
export async function probeMedia(
  tools: MediaTools,
  filePath: string,
  options: { signal?: AbortSignal } = {},
): Promise<MediaProbe> {
  const { stdout } = await runTool(
    tools.ffprobe,
    ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-i', fileUrl(filePath)],
    { timeoutMs: PROBE_TIMEOUT_MS, ...(options.signal ? { signal: options.signal } : {}) },
  );
  const raw = JSON.parse(stdout) as RawProbe;
  const streams = raw.streams ?? [];
  const duration = positive(raw.format?.duration);
  return {
    formatName: raw.format?.format_name ?? 'unknown',
    ...(duration === undefined ? {} : { durationSeconds: duration }),
    audioStreams: streams
      .filter((s) => s.codec_type === 'audio')
      .map((s) => ({
        codec: s.codec_name ?? 'unknown',
        channels: s.channels ?? 0,
        sampleRate: positive(s.sample_rate) ?? 0,
      })),
    videoStreams: streams
      .filter((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1)
      .map((s) => {
        const frames = positive(s.nb_frames);
        return {
          codec: s.codec_name ?? 'unknown',
          width: s.width ?? 0,
          height: s.height ?? 0,
          ...(frames === undefined ? {} : { frames }),
        };
      }),
  };
}

function positive(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** `file:` + absolute path, so a name can never be read as an option or another protocol (concat:, http:). */
export function fileUrl(filePath: string): string {
  return `file:${path.resolve(filePath)}`;
}
