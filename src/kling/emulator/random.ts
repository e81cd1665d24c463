// Randomness for the emulator: a seeded RNG so probabilistic faults replay identically in tests, and
// id generators shaped like the provider's (long numeric task ids, UUID request ids).
import { randomInt, randomUUID } from 'node:crypto';

export type Rng = () => number;

/** mulberry32: tiny, fast and good enough for fault dice; not for anything secret. */
export function createRng(seed?: number): Rng {
  let state = (seed ?? randomInt(2 ** 31)) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let sequence = 0;

/**
 * Snowflake layout (ms timestamp << 22 | sequence): 19 digits and time-ordered, like the ids in
 * CometAPI's examples, and unique across emulators in one process because the counter is shared.
 */
export function numericId(): string {
  sequence = (sequence + 1) & 0x3fffff;
  return ((BigInt(Date.now()) << 22n) | BigInt(sequence)).toString();
}

export function requestId(): string {
  return randomUUID();
}

/** CometAPI (new-api) style request id as quoted in its error messages: timestamp plus random digits. */
export function cometRequestId(): string {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 17);
  return `${stamp}${randomInt(10 ** 9)
    .toString()
    .padStart(9, '0')}`;
}
