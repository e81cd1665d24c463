// Child processes (ffmpeg, ffprobe, espeak-ng) with bookkeeping: close() must be able to kill every
// running child, and output is capped so a chatty tool cannot exhaust memory.
import { type ChildProcess, spawn } from 'node:child_process';

const OUTPUT_CAP = 64 * 1024;

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class ProcessRunner {
  private readonly children = new Set<ChildProcess>();
  private closed = false;

  /** Resolves with the exit code; rejects only if the binary cannot be started or the runner is closed. */
  run(command: string, args: string[], timeoutMs = 300_000): Promise<RunResult> {
    if (this.closed) return Promise.reject(new Error('emulator closed'));
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      this.children.add(child);
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        if (stdout.length < OUTPUT_CAP) stdout += chunk.toString();
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-OUTPUT_CAP);
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        this.children.delete(child);
        reject(error);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        this.children.delete(child);
        if (this.closed) reject(new Error('emulator closed'));
        else resolve({ code, stdout, stderr });
      });
    });
  }

  killAll(): void {
    this.closed = true;
    for (const child of this.children) child.kill('SIGKILL');
  }
}

export interface ProbeResult {
  duration: number;
  hasAudio: boolean;
  hasVideo: boolean;
}

/** Container duration and stream kinds; null when ffprobe cannot read the file at all. */
export async function probeMedia(
  runner: ProcessRunner,
  ffprobePath: string,
  file: string,
): Promise<ProbeResult | null> {
  const result = await runner.run(
    ffprobePath,
    ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type', '-of', 'json', file],
    30_000,
  );
  if (result.code !== 0) return null;
  try {
    const parsed = JSON.parse(result.stdout) as {
      format?: { duration?: string };
      streams?: Array<{ codec_type?: string }>;
    };
    const duration = Number(parsed.format?.duration);
    const kinds = (parsed.streams ?? []).map((s) => s.codec_type);
    return {
      duration: Number.isFinite(duration) ? duration : 0,
      hasAudio: kinds.includes('audio'),
      hasVideo: kinds.includes('video'),
    };
  } catch {
    return null;
  }
}

/** Kling reports durations as strings of seconds with at most one decimal ("12.4", "5"). */
export function formatSeconds(seconds: number): string {
  return String(Math.round(seconds * 10) / 10);
}
