// Joining the parts of a five-minute voice note into one video, against the bare ffmpeg command
// doing the same work, run alternately so machine noise hits both. Two cases:
// - parts as a provider renders them (each a little longer than planned, from the MP3's padding):
//   joinParts re-encodes the video with every part cut to its slot; baseline: the bare concat
//   filter + x264 + AAC mux of the same files;
// - parts that fit their slots: joinParts stream-copies the video; baseline: the bare concat
//   demuxer with -c:v copy + AAC mux.
// The inputs (speech with pauses, the split, the renders) are made in a temp dir first.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { detectPauses } from '../src/media/detect-pauses.js';
import { joinParts } from '../src/media/join-parts.js';
import { probeMedia } from '../src/media/probe.js';
import { runTool } from '../src/media/run.js';
import { splitAudio } from '../src/media/split-audio.js';
import { planSplit } from '../src/media/split-plan.js';
import { type MediaTools, resolveMediaTools } from '../src/media/tools.js';
import { Semaphore } from '../src/util/semaphore.js';
import type { BenchRow } from './run.js';

const TOTAL_SECONDS = 300;
const REENCODE_RUNS = 3;
const COPY_RUNS = 5;
const SPEECH =
  'Good morning everyone. Here is the weekly update: the release went out on Tuesday, support tickets are down, and next week we focus on search.';
const FACE = path.resolve('samples/face.jpg');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Runs a and b `runs` times each, alternating which goes first. */
async function alternate(runs: number, a: () => Promise<unknown>, b: () => Promise<unknown>) {
  const times = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      times.a.push(await timed(a));
      times.b.push(await timed(b));
    } else {
      times.b.push(await timed(b));
      times.a.push(await timed(a));
    }
  }
  return { a: median(times.a), b: median(times.b) };
}

const ff = (tools: MediaTools, args: string[]) =>
  runTool(tools.ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], { timeoutMs: 900_000 });

/** Five minutes of speech with a 0.8 s pause after each sentence, as the bot prepares it (MP3 96k). */
async function makeNote(tools: MediaTools, dir: string): Promise<string> {
  const wav = path.join(dir, 'sentence.wav');
  const mp3 = path.join(dir, 'voice.mp3');
  await runTool('espeak-ng', ['-w', wav, SPEECH], { timeoutMs: 30_000 });
  await ff(tools, [
    ...['-stream_loop', '-1', '-i', wav, '-af', 'apad=pad_dur=0.8', '-t', String(TOTAL_SECONDS)],
    ...['-ac', '1', '-c:a', 'libmp3lame', '-b:a', '96k', mp3],
  ]);
  return mp3;
}

/** The emulator's render: the still face over the part's audio, H.264 25 fps ≤ 720 p, AAC. */
async function render(tools: MediaTools, frame: string, audio: string, seconds: number, out: string) {
  await ff(tools, [
    ...['-loop', '1', '-framerate', '2', '-i', frame, '-i', audio, '-map', '0:v:0', '-map', '1:a:0'],
    ...['-c:v', 'libx264', '-tune', 'stillimage', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'],
    ...['-vf', 'fps=25', '-c:a', 'aac', '-b:a', '128k', '-t', seconds.toFixed(3)],
    ...['-movflags', '+faststart', out],
  ]);
}

export async function run(): Promise<BenchRow[]> {
  const tools = await resolveMediaTools({
    ...(process.env.FFMPEG_PATH ? { ffmpegPath: process.env.FFMPEG_PATH } : {}),
    ...(process.env.FFPROBE_PATH ? { ffprobePath: process.env.FFPROBE_PATH } : {}),
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-long-voice-'));
  try {
    const note = await makeNote(tools, dir);
    const audioSeconds = (await probeMedia(tools, note)).durationSeconds ?? TOTAL_SECONDS;
    const pauses = await detectPauses(tools, note, { totalSeconds: audioSeconds });
    const plan = planSplit(audioSeconds, pauses, { minSeconds: 2, maxSeconds: 59.75, searchSeconds: 8 });
    const parts = await splitAudio(tools, note, plan.parts, dir, 5_000_000);
    const frame = path.join(dir, 'frame.png');
    await sharp(FACE).resize({ height: 720 }).png().toFile(frame);
    // As a provider renders them (its length: the MP3 as measured, padding included), and fitting.
    const renders = new Semaphore(2);
    const provider = parts.map((_, i) => path.join(dir, `provider-${i + 1}.mp4`));
    const fitting = parts.map((_, i) => path.join(dir, `fitting-${i + 1}.mp4`));
    await Promise.all(
      parts.flatMap((part, i) => [
        renders.run(async () => {
          const measured = (await probeMedia(tools, part.path)).durationSeconds ?? part.durationSeconds;
          await render(tools, frame, part.path, measured, provider[i] as string);
        }),
        renders.run(() => render(tools, frame, part.path, part.durationSeconds, fitting[i] as string)),
      ]),
    );
    const partSeconds = parts.map((p) => p.durationSeconds);
    const out = path.join(dir, 'joined.mp4');
    const methods = new Set<string>();
    const durations: number[] = [];
    const ours = (videoPaths: string[]) => async () => {
      const r = await joinParts(tools, {
        videoPaths,
        partSeconds,
        audioPath: note,
        audioSeconds,
        outPath: out,
      });
      methods.add(r.method);
      durations.push(r.durationSeconds);
    };
    // The same audio encoding joinParts does, so the ratios show its own overhead.
    const audioOut = ['-c:a', 'aac', '-aac_coder', 'fast', '-b:a', '128k', '-t', audioSeconds.toFixed(6)];
    audioOut.push('-movflags', '+faststart');
    const bareReencode = () =>
      ff(tools, [
        ...provider.flatMap((p) => ['-i', p]),
        ...[
          '-i',
          note,
          '-filter_complex',
          `${provider.map((_, i) => `[${i}:v]`).join('')}concat=n=${parts.length}:v=1:a=0[v]`,
        ],
        ...[
          '-map',
          '[v]',
          '-map',
          `${parts.length}:a`,
          '-c:v',
          'libx264',
          '-preset',
          'veryfast',
          '-crf',
          '20',
        ],
        ...['-pix_fmt', 'yuv420p', ...audioOut, path.join(dir, 'bare.mp4')],
      ]);
    const list = path.join(dir, 'bare.txt');
    await writeFile(list, fitting.map((p) => `file '${p}'\n`).join(''));
    const bareCopy = () =>
      ff(tools, [
        ...['-f', 'concat', '-safe', '0', '-i', list, '-i', note, '-map', '0:v:0', '-map', '1:a:0'],
        ...['-c:v', 'copy', ...audioOut, path.join(dir, 'bare.mp4')],
      ]);

    const reencode = await alternate(REENCODE_RUNS, bareReencode, ours(provider));
    const reencodeMethods = [...methods].join(',');
    const reencodeDrift = Math.max(...durations.map((d) => Math.abs(d - audioSeconds)));
    methods.clear();
    durations.length = 0;
    await ours(fitting)(); // warm-up
    const copy = await alternate(COPY_RUNS, bareCopy, ours(fitting));
    const copyMethods = [...methods].join(',');
    const copyDrift = Math.max(...durations.map((d) => Math.abs(d - audioSeconds)));

    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const ratio = (x: number, y: number) => `${(x / y).toFixed(2)}x`;
    const row = (metric: string, value: string, extra: Partial<BenchRow> = {}): BenchRow => ({
      bench: 'long-voice',
      metric,
      value,
      ...extra,
    });
    const shape = `${audioSeconds.toFixed(1)} s in ${parts.length} parts, 576x720 25 fps`;
    return [
      row('join, provider parts: joinParts', s(reencode.b), {
        note: `${shape}; method ${reencodeMethods}; median of ${REENCODE_RUNS}`,
      }),
      row('join, provider parts: bare ffmpeg', s(reencode.a), {
        note: 'concat filter + x264 veryfast + AAC (fast coder)',
      }),
      row('join, provider parts: ratio', ratio(reencode.b, reencode.a), {
        note: `output within ${reencodeDrift.toFixed(3)} s of the audio`,
      }),
      row('join, fitting parts: joinParts', s(copy.b), {
        note: `method ${copyMethods}; median of ${COPY_RUNS}`,
      }),
      row('join, fitting parts: bare ffmpeg', s(copy.a), {
        note: 'concat demuxer -c:v copy + AAC (fast coder)',
      }),
      row('join, fitting parts: ratio', ratio(copy.b, copy.a), {
        note: `output within ${copyDrift.toFixed(3)} s of the audio`,
      }),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
