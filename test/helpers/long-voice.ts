// Long voice notes for tests: real synthetic speech (espeak-ng sentences) joined by silences of
// 0.6-1 s, as a Discord-like OGG/Opus file; plus PCM helpers to compare audio around the joins.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { runTool } from '../../src/media/run.js';
import { SAMPLE_FACE } from './test-app.js';

const SENTENCES = [
  'Good morning everyone, here is the weekly update from the platform team.',
  'We shipped the new billing page on Tuesday, and the error rate stayed flat all week.',
  'The mobile release is waiting for review, so expect it early next week.',
  'Support tickets went down by a fifth after the help center rewrite.',
  'Please remember to fill in the survey about the office move before Friday.',
  'Next sprint we focus on search speed and on the onboarding emails.',
  'Thanks to everyone who joined the incident review, the notes are in the wiki.',
];
const SILENCES = [0.6, 0.8, 1, 0.7, 0.9];
const RATE = 22_050;

export interface LongVoice {
  path: string;
  /** Intended length (the encoder adds a few milliseconds). */
  seconds: number;
}

/** Speech of about `targetSeconds`, sentences separated by 0.6-1 s silences. */
export async function makeLongVoice(dir: string, name: string, targetSeconds: number): Promise<LongVoice> {
  const wavs = await Promise.all(
    SENTENCES.map(async (text, i) => {
      const file = path.join(dir, `${name}-s${i}.wav`);
      await runTool('espeak-ng', ['-s', '185', '-w', file, text], { timeoutMs: 20_000 });
      return { file, seconds: await wavSeconds(file) };
    }),
  );
  const silences = await Promise.all(
    SILENCES.map(async (seconds, i) => {
      const file = path.join(dir, `${name}-q${i}.wav`);
      await runTool(
        'ffmpeg',
        [
          '-v',
          'error',
          '-y',
          '-f',
          'lavfi',
          '-i',
          `anullsrc=r=${RATE}:cl=mono`,
          '-t',
          String(seconds),
        ].concat(['-c:a', 'pcm_s16le', file]),
        { timeoutMs: 20_000 },
      );
      return { file, seconds };
    }),
  );
  const lines = ['ffconcat version 1.0'];
  let total = 0;
  for (let i = 0; total < targetSeconds; i++) {
    const speech = wavs[i % wavs.length];
    const gap = silences[i % silences.length];
    if (!speech || !gap) break;
    lines.push(`file '${speech.file}'`);
    total += speech.seconds;
    if (total >= targetSeconds) break;
    lines.push(`file '${gap.file}'`);
    total += gap.seconds;
  }
  const list = path.join(dir, `${name}.txt`);
  await writeFile(list, `${lines.join('\n')}\n`);
  const out = path.join(dir, `${name}.ogg`);
  await runTool(
    'ffmpeg',
    ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-t', targetSeconds.toFixed(3)].concat([
      '-c:a',
      'libopus',
      '-b:a',
      '32k',
      out,
    ]),
    { timeoutMs: 60_000 },
  );
  return { path: out, seconds: Math.min(total, targetSeconds) };
}

async function wavSeconds(file: string): Promise<number> {
  const { stdout } = await runTool(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file],
    { timeoutMs: 20_000 },
  );
  return Number(stdout.trim());
}

/** A small face photo (320×400), so the emulator's renders and the joins stay cheap. */
export async function makeSmallFace(dir: string): Promise<string> {
  const file = path.join(dir, 'face-small.jpg');
  await sharp(SAMPLE_FACE).resize(320, 400).jpeg({ quality: 85 }).toFile(file);
  return file;
}

/** Decodes the first audio stream to mono 16 kHz float samples. */
export async function decodePcm(file: string, rate = 16_000): Promise<Float32Array> {
  const raw = path.join(path.dirname(file), `${path.basename(file)}.${rate}.f32`);
  await runTool(
    'ffmpeg',
    ['-v', 'error', '-y', '-i', file, '-map', '0:a:0', '-ac', '1', '-ar', String(rate)].concat([
      '-f',
      'f32le',
      raw,
    ]),
    { timeoutMs: 60_000 },
  );
  const bytes = await readFile(raw);
  return new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4));
}

export function rms(samples: Float32Array, from: number, to: number): number {
  let sum = 0;
  const a = Math.max(0, from);
  const b = Math.min(samples.length, to);
  for (let i = a; i < b; i++) sum += (samples[i] ?? 0) ** 2;
  return Math.sqrt(sum / Math.max(1, b - a));
}

/**
 * Normalised cross-correlation of two signals over [from, to) of `a`, with `b` shifted by `lag`
 * samples: 1 means the same waveform at that offset.
 */
export function correlation(a: Float32Array, b: Float32Array, from: number, to: number, lag: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = Math.max(0, from); i < Math.min(a.length, to); i++) {
    const x = a[i] ?? 0;
    const y = b[i + lag] ?? 0;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/** The lag (within ±maxLag samples) where `b` best matches `a` around [from, to), and how well. */
export function bestLag(
  a: Float32Array,
  b: Float32Array,
  from: number,
  to: number,
  maxLag: number,
): { lag: number; score: number } {
  let best = { lag: 0, score: -1 };
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    const score = correlation(a, b, from, to, lag);
    if (score > best.score) best = { lag, score };
  }
  return best;
}
