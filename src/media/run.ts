// Runs ffmpeg/ffprobe as child processes: no shell (file names never reach a command line parser),
// a hard time limit, and bounded output, so a hostile or broken input cannot hang or flood the bot.
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface RunResult {
  stdout: string;
  /** The last STDERR_KEEP characters only: ffmpeg prints its summaries (volumedetect, stats) last. */
  stderr: string;
}

/** Why a tool run failed, with just enough stderr to diagnose it in a log line. */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly details: {
      /** Exit code when the tool ran and failed; undefined when it never started or was killed. */
      exitCode?: number;
      /** Set when the binary could not be started (ENOENT, EACCES…). */
      spawnError?: string;
      timedOut?: boolean;
      aborted?: boolean;
      stderrTail: string;
    },
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

const STDERR_KEEP = 64 * 1024;
const STDOUT_MAX = 4 * 1024 * 1024;
const TAIL_CHARS = 600;

/** The end of a tool's stderr, cut at a line start, for error messages. */
export function stderrTail(stderr: string, chars = TAIL_CHARS): string {
  const trimmed = stderr.trimEnd();
  if (trimmed.length <= chars) return trimmed;
  const cut = trimmed.slice(-chars);
  const newline = cut.indexOf('\n');
  return newline >= 0 && newline < cut.length - 1 ? cut.slice(newline + 1) : cut;
}

export function runTool(bin: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const name = path.basename(bin);
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new ToolError(`${name} aborted`, { aborted: true, stderrTail: '' }));
      return;
    }
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    let failure: ToolError | undefined;
    let settled = false;

    const kill = (error: ToolError) => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () =>
        kill(
          new ToolError(`${name} timed out after ${options.timeoutMs} ms`, {
            timedOut: true,
            stderrTail: '',
          }),
        ),
      options.timeoutMs,
    );
    const onAbort = () => kill(new ToolError(`${name} aborted`, { aborted: true, stderrTail: '' }));
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };

    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.length > STDOUT_MAX)
        kill(new ToolError(`${name} wrote more than ${STDOUT_MAX} bytes to stdout`, { stderrTail: '' }));
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.length > 2 * STDERR_KEEP) stderr = stderr.slice(-STDERR_KEEP);
    });

    child.on('error', (error: NodeJS.ErrnoException) =>
      finish(() =>
        reject(
          new ToolError(`${name} could not be started: ${error.code ?? error.message}`, {
            spawnError: error.code ?? error.message,
            stderrTail: '',
          }),
        ),
      ),
    );
    child.on('close', (code) =>
      finish(() => {
        const tail = stderrTail(stderr);
        if (failure) {
          reject(new ToolError(failure.message, { ...failure.details, stderrTail: tail }));
        } else if (code !== 0) {
          reject(
            new ToolError(`${name} exited with code ${code}${tail ? `: ${tail}` : ''}`, {
              ...(code === null ? {} : { exitCode: code }),
              stderrTail: tail,
            }),
          );
        } else {
          resolve({ stdout, stderr: stderr.slice(-STDERR_KEEP) });
        }
      }),
    );
  });
}
