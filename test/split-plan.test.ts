// The split planner: cuts in pauses near the limit, a hard cut only without a pause, never a last
// part below the minimum, and the exact edges of the limits. Pure, so no media is involved.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { type Pause, parseSilenceMarks } from '../src/media/detect-pauses.js';
import { planSplit, type SplitPlan } from '../src/media/split-plan.js';

const LIMITS = { minSeconds: 2, maxSeconds: 60, searchSeconds: 8 };
const EPS = 1e-9;

function durations(plan: SplitPlan): number[] {
  return plan.parts.map((p) => p.durationSeconds);
}

function expectValid(plan: SplitPlan, total: number, limits = LIMITS): void {
  let pos = 0;
  plan.parts.forEach((part, i) => {
    expect(part.index).toBe(i + 1);
    expect(part.startSeconds).toBeCloseTo(pos, 9);
    expect(part.durationSeconds).toBeGreaterThanOrEqual(limits.minSeconds - EPS);
    expect(part.durationSeconds).toBeLessThanOrEqual(limits.maxSeconds + EPS);
    pos += part.durationSeconds;
  });
  expect(pos).toBeCloseTo(total, 9);
}

/** A pause of `length` seconds every `every` seconds, like sentences. */
function regularPauses(total: number, every: number, length: number): Pause[] {
  const pauses: Pause[] = [];
  for (let t = every; t < total; t += every) pauses.push({ start: t, end: t + length });
  return pauses;
}

describe('planSplit', () => {
  it('keeps a note within the limit whole', () => {
    const plan = planSplit(60, [], LIMITS);
    expect(durations(plan)).toEqual([60]);
    expect(plan.cuts).toEqual([]);
  });

  it('cuts in the middle of the pause nearest the limit', () => {
    const pauses = [
      { start: 30, end: 30.5 },
      { start: 55, end: 55.8 },
      { start: 90, end: 90.6 },
      { start: 112, end: 113 },
    ];
    const plan = planSplit(150, pauses, LIMITS);
    expectValid(plan, 150);
    expect(plan.cuts).toEqual([
      { atSeconds: 55.4, kind: 'pause' },
      { atSeconds: 112.5, kind: 'pause' },
    ]);
    expect(plan.parts).toHaveLength(3);
  });

  it('prefers the longer pause (a sentence end) over a comma within the window', () => {
    const pauses = [
      { start: 53, end: 54 },
      { start: 58.9, end: 59.2 },
    ];
    const plan = planSplit(100, pauses, LIMITS);
    expect(plan.cuts[0]).toEqual({ atSeconds: 53.5, kind: 'pause' });
  });

  it('ignores pauses further back than the search window and cuts hard at the limit', () => {
    const plan = planSplit(100, [{ start: 40, end: 41 }], LIMITS);
    expect(plan.cuts).toEqual([{ atSeconds: 60, kind: 'hard' }]);
    expect(durations(plan)).toEqual([60, 40]);
  });

  it('cuts hard at each limit when there are no pauses at all', () => {
    const plan = planSplit(150, [], LIMITS);
    expect(plan.cuts.map((c) => c.kind)).toEqual(['hard', 'hard']);
    expect(durations(plan)).toEqual([60, 60, 30]);
    expectValid(plan, 150);
  });

  it('cuts inside a long pause that straddles the limit, never past the limit', () => {
    const plan = planSplit(90, [{ start: 58, end: 64 }], LIMITS);
    expect(plan.cuts).toEqual([{ atSeconds: 60, kind: 'pause' }]);
  });

  it('rebalances so the last part is never shorter than the minimum', () => {
    // Greedy cuts at 60 and 120 would leave 1 s; the second cut moves back to leave at least 2 s.
    const hard = planSplit(121, [], LIMITS);
    expectValid(hard, 121);
    expect(durations(hard).at(-1)).toBeCloseTo(2, 9);
    // With a pause right at the limit that would leave 0.5 s, an earlier pause is used instead.
    const pauses = [
      { start: 59.6, end: 60 },
      { start: 114, end: 114.6 },
      { start: 120.1, end: 120.3 },
    ];
    const soft = planSplit(120.5, pauses, LIMITS);
    expectValid(soft, 120.5);
    expect(soft.cuts.map((c) => c.kind)).toEqual(['pause', 'pause']);
    expect(soft.cuts[1]?.atSeconds).toBeCloseTo(114.3, 9);
  });

  it('handles a note just over the limit (61 s) as two parts', () => {
    const plan = planSplit(61, regularPauses(61, 7, 0.5), LIMITS);
    expectValid(plan, 61);
    expect(plan.parts).toHaveLength(2);
    expect(plan.cuts[0]?.kind).toBe('pause');
    const barely = planSplit(60.001, [], LIMITS);
    expectValid(barely, 60.001);
    expect(durations(barely)).toHaveLength(2);
    expect(durations(barely)[1]).toBeCloseTo(2, 9);
  });

  it('allows parts of exactly the minimum and exactly the maximum', () => {
    const exactMax = planSplit(120, [], LIMITS);
    expect(durations(exactMax)).toEqual([60, 60]);
    const exactMin = planSplit(62, [], LIMITS);
    expect(durations(exactMin)).toEqual([60, 2]);
    // A pause ending exactly at the earliest allowed cut is still usable.
    const edge = planSplit(70, [{ start: 51, end: 52 }], LIMITS);
    expect(edge.cuts[0]).toEqual({ atSeconds: 52, kind: 'pause' });
  });

  it('keeps 150 s with regular sentence pauses in 3 parts, all cuts in pauses', () => {
    const pauses = regularPauses(150, 6.5, 0.8);
    const plan = planSplit(150, pauses, LIMITS);
    expectValid(plan, 150);
    expect(plan.parts).toHaveLength(3);
    for (const cut of plan.cuts) {
      expect(cut.kind).toBe('pause');
      expect(pauses.some((p) => cut.atSeconds > p.start && cut.atSeconds < p.end)).toBe(true);
    }
  });

  it('splits a five-minute note into parts that all respect the limits', () => {
    for (const every of [3, 9, 17]) {
      const plan = planSplit(300, regularPauses(300, every, 0.4), LIMITS);
      expectValid(plan, 300);
    }
  });

  it('refuses impossible limits instead of producing a bad plan', () => {
    expect(() => planSplit(10, [], { minSeconds: 2, maxSeconds: 3, searchSeconds: 1 })).not.toThrow();
    expect(() => planSplit(5, [], { minSeconds: 3, maxSeconds: 4, searchSeconds: 1 })).toThrow(RangeError);
    expect(() => planSplit(1, [], LIMITS)).toThrow(RangeError);
  });
});

describe('parseSilenceMarks', () => {
  it('pairs start and end marks and closes a pause that runs to the end', () => {
    const text = [
      'frame:87   pts:49583   pts_time:2.24866',
      'lavfi.silence_start=1.99995',
      'frame:115  pts:65711   pts_time:2.98009',
      'lavfi.silence_end=3.00014',
      'lavfi.silence_duration=1.00018',
      'lavfi.silence_start=9.5',
    ].join('\n');
    expect(parseSilenceMarks(text, 10)).toEqual([
      { start: 1.99995, end: 3.00014 },
      { start: 9.5, end: 10 },
    ]);
    expect(parseSilenceMarks('lavfi.silence_start=-0.01\nlavfi.silence_end=0.4\n')).toEqual([
      { start: 0, end: 0.4 },
    ]);
  });
});

describe('split settings', () => {
  it('defaults to 5 minutes in parts of 60 s, 2 at a time, looking 8 s back for a pause', () => {
    const config = loadConfig({});
    expect(config.audio.maxSeconds).toBe(60);
    expect(config.split).toEqual({ maxTotalSeconds: 300, concurrency: 2, searchSeconds: 8 });
  });

  it('refuses a total below the per-task maximum, or parts too short to split into', () => {
    expect(() => loadConfig({ AUDIO_MAX_TOTAL_SECONDS: '30' })).toThrow(/AUDIO_MAX_TOTAL_SECONDS/);
    expect(() => loadConfig({ AUDIO_MAX_SECONDS: '4' })).toThrow(/2 × AUDIO_MIN_SECONDS/);
    expect(loadConfig({ AUDIO_MAX_SECONDS: '4', AUDIO_MAX_TOTAL_SECONDS: '4' }).split.maxTotalSeconds).toBe(
      4,
    );
    expect(() => loadConfig({ SPLIT_CONCURRENCY: '0' })).toThrow(/SPLIT_CONCURRENCY/);
  });
});
