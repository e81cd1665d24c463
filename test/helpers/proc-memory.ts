// Peak memory of a child process from Linux's own accounting: VmHWM (the resident high-water mark)
// in /proc/<pid>/status, plus the largest VmHWM seen among its direct children (ffmpeg, ffprobe).
import { readFile } from 'node:fs/promises';

async function highWaterKb(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const kb = status ? /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] : undefined;
  return kb === undefined ? undefined : Number(kb);
}

async function childPids(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.split(/\s+/).filter(Boolean).map(Number);
}

export interface PeakMemory {
  /** The process's own peak resident set, in MB (the last reading before it exited). */
  processMb: number;
  /** The largest peak of any one child process seen while sampling, in MB. */
  largestChildMb: number;
}

/** Samples every `intervalMs` until `stop()`; VmHWM only grows, so the last reading is the peak. */
export function watchPeakMemory(pid: number, intervalMs = 50): { stop(): PeakMemory } {
  let processKb = 0;
  let childKb = 0;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      processKb = Math.max(processKb, (await highWaterKb(pid)) ?? 0);
      for (const child of await childPids(pid)) childKb = Math.max(childKb, (await highWaterKb(child)) ?? 0);
    } finally {
      busy = false;
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return { processMb: processKb / 1024, largestChildMb: childKb / 1024 };
    },
  };
}
