// Plans where to cut a voice note that is longer than one avatar task may be. Pure: it takes the
// note's length and its pauses and returns the parts, so every edge case is a unit test.
//
// Greedy from the start: each cut goes at the middle of a pause that lies within `searchSeconds`
// before the part's limit (the longest such pause, so sentence ends win over commas). Only when no
// pause lies there is the cut made at the limit itself, inside the speech. The limit of every cut
// also keeps at least `minSeconds` for what follows, so the last part is never too short.
import type { Pause } from './detect-pauses.js';

export interface SplitLimits {
  minSeconds: number;
  maxSeconds: number;
  /** How far before a part's limit to look for a pause. */
  searchSeconds: number;
}

export interface PlannedPart {
  /** 1-based, as users count. */
  index: number;
  startSeconds: number;
  durationSeconds: number;
}

export interface PlannedCut {
  atSeconds: number;
  /** 'pause': in the middle of (or inside) a pause; 'hard': no pause nearby, cut at the limit. */
  kind: 'pause' | 'hard';
}

export interface SplitPlan {
  parts: PlannedPart[];
  cuts: PlannedCut[];
}

export function planSplit(totalSeconds: number, pauses: readonly Pause[], limits: SplitLimits): SplitPlan {
  const { minSeconds: min, maxSeconds: max, searchSeconds } = limits;
  if (!(min > 0 && max > min && searchSeconds >= 0))
    throw new RangeError(`bad split limits: min ${min}, max ${max}, search ${searchSeconds}`);
  if (!(totalSeconds >= min)) throw new RangeError(`audio of ${totalSeconds} s is shorter than ${min} s`);
  const sorted = [...pauses].filter((p) => p.end > p.start).sort((a, b) => a.start - b.start);
  const cuts: PlannedCut[] = [];
  let pos = 0;
  while (totalSeconds - pos > max) {
    // Latest allowed cut: the part's limit, or earlier so that what remains is at least `min`.
    const hi = Math.min(pos + max, totalSeconds - min);
    const lo = Math.max(pos + min, hi - searchSeconds);
    if (hi < lo) throw new RangeError(`cannot split ${totalSeconds - pos} s into parts of ${min}-${max} s`);
    const cut = bestPauseCut(sorted, lo, hi);
    cuts.push(cut ?? { atSeconds: hi, kind: 'hard' });
    pos = cuts.at(-1)?.atSeconds ?? hi;
  }
  const bounds = [0, ...cuts.map((c) => c.atSeconds), totalSeconds];
  const parts = bounds.slice(0, -1).map((start, i) => ({
    index: i + 1,
    startSeconds: start,
    durationSeconds: (bounds[i + 1] ?? totalSeconds) - start,
  }));
  return { parts, cuts };
}

/**
 * A cut in [lo, hi] inside a pause, as near the pause's middle as allowed. Among pauses, the one whose
 * cut lies farthest from speech on both sides wins (a long pause, well inside the window); later
 * wins a tie, so parts stay long and few.
 */
function bestPauseCut(pauses: readonly Pause[], lo: number, hi: number): PlannedCut | undefined {
  let best: { at: number; margin: number } | undefined;
  for (const pause of pauses) {
    if (pause.start > hi) break;
    const a = Math.max(pause.start, lo);
    const b = Math.min(pause.end, hi);
    if (a > b) continue;
    const at = Math.min(b, Math.max(a, (pause.start + pause.end) / 2));
    const margin = Math.min(at - pause.start, pause.end - at);
    if (!best || margin >= best.margin) best = { at, margin };
  }
  return best ? { atSeconds: best.at, kind: 'pause' } : undefined;
}
