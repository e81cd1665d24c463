// Input preparation against its bare baseline, run alternately in the same process so machine noise
// hits both: prepareVoice vs plain `ffmpeg -i in.ogg … out.mp3` on a 60 s voice note, and
// prepareImage vs plain sharp rotate+resize+jpeg on a 12-megapixel photo.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Config } from '../src/config.js';
import { prepareImage } from '../src/media/prepare-image.js';
import { prepareVoice } from '../src/media/prepare-voice.js';
import { runTool } from '../src/media/run.js';
import { type MediaTools, resolveMediaTools } from '../src/media/tools.js';
import type { BenchRow } from './run.js';

const VOICE_RUNS = 11;
const IMAGE_RUNS = 15;
const IMAGE_LIMITS: Config['image'] = {
  minSide: 300,
  maxUpscale: 2,
  maxSide: 2048,
  maxBytes: 10_000_000,
  maxPixels: 40_000_000,
  aspectFix: 'crop',
};
const AUDIO_LIMITS: Config['audio'] = { minSeconds: 2, maxSeconds: 60, maxBytes: 5_000_000 };
const SPEECH =
  'Good morning everyone. Here is a quick update on the project, the release, and the plans for next week.';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

/**
 * CPU milliseconds used by this process's finished children (Linux /proc, 10 ms ticks). On a shared,
 * busy machine this is steadier than wall time, so the report shows both.
 */
async function childCpuMs(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13] ?? 0) + Number(fields[14] ?? 0)) * 10; // cutime + cstime at 100 ticks/s
}

interface Sample {
  wall: number;
  cpu: number;
}

async function timed(fn: () => Promise<unknown>): Promise<Sample> {
  const cpu = await childCpuMs();
  const start = performance.now();
  await fn();
  const wall = performance.now() - start;
  return { wall, cpu: (await childCpuMs()) - cpu };
}

/** Runs a and b `runs` times each, alternating which goes first, after one warm-up of each. */
async function alternate(runs: number, a: () => Promise<unknown>, b: () => Promise<unknown>) {
  await a();
  await b();
  const times = { a: [] as Sample[], b: [] as Sample[] };
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      times.a.push(await timed(a));
      times.b.push(await timed(b));
    } else {
      times.b.push(await timed(b));
      times.a.push(await timed(a));
    }
  }
  const wall = (xs: Sample[]) => median(xs.map((x) => x.wall));
  const cpu = (xs: Sample[]) => median(xs.map((x) => x.cpu));
  return { a: wall(times.a), b: wall(times.b), cpuA: cpu(times.a), cpuB: cpu(times.b) };
}

/** 60 s of synthetic speech shaped like a Discord voice message: Ogg/Opus, mono, 48 kHz. */
async function makeVoiceNote(tools: MediaTools, dir: string): Promise<string> {
  const wav = path.join(dir, 'speech.wav');
  const ogg = path.join(dir, 'voice-60s.ogg');
  await runTool('espeak-ng', ['-v', 'en-us', '-w', wav, SPEECH], { timeoutMs: 30_000 });
  await runTool(
    tools.ffmpeg,
    [
      ...['-nostdin', '-v', 'error', '-y', '-stream_loop', '-1', '-i', wav, '-t', '60'],
      ...['-ar', '48000', '-ac', '1', '-c:a', 'libopus', '-b:a', '32k', '-application', 'voip', ogg],
    ],
    { timeoutMs: 60_000 },
  );
  return ogg;
}

/** A 4000x3000 photo-like JPEG (smooth shapes plus sensor-like noise), about what a phone sends. */
async function makePhoto(): Promise<Buffer> {
  const [w, h] = [4000, 3000];
  const shapes = Array.from(
    { length: 120 },
    (_, i) =>
      `<circle cx="${(i * 397) % w}" cy="${(i * 211) % h}" r="${40 + ((i * 53) % 260)}" fill="hsl(${(i * 37) % 360},45%,55%)" opacity="0.45"/>`,
  ).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
    <defs><linearGradient id="b" x2="1" y2="1"><stop offset="0" stop-color="#8fb0cf"/><stop offset="1" stop-color="#2b3d50"/></linearGradient>
    <radialGradient id="s"><stop offset="0" stop-color="#f6d2b0"/><stop offset="1" stop-color="#7a5238"/></radialGradient></defs>
    <rect width="${w}" height="${h}" fill="url(#b)"/>${shapes}<ellipse cx="2000" cy="1450" rx="800" ry="1050" fill="url(#s)"/></svg>`;
  const { data, info } = await sharp(Buffer.from(svg))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let seed = 12345;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    data[i] = Math.max(0, Math.min(255, (data[i] ?? 0) + ((seed >>> 24) % 25) - 12));
  }
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .jpeg({ quality: 92 })
    .toBuffer();
}

export async function run(): Promise<BenchRow[]> {
  // The operator's overrides, if any, so the figures match the binaries the bot will use.
  const tools = await resolveMediaTools({
    ...(process.env.FFMPEG_PATH ? { ffmpegPath: process.env.FFMPEG_PATH } : {}),
    ...(process.env.FFPROBE_PATH ? { ffprobePath: process.env.FFPROBE_PATH } : {}),
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-media-'));
  try {
    const ogg = await makeVoiceNote(tools, dir);
    let n = 0;
    const bare = async () => {
      const out = path.join(dir, `bare-${n++}.mp3`);
      await runTool(
        tools.ffmpeg,
        ['-nostdin', '-y', '-i', ogg, '-vn', '-ac', '1', '-c:a', 'libmp3lame', '-b:a', '96k', out],
        { timeoutMs: 60_000 },
      );
      await rm(out);
    };
    const prepared = async () => {
      const out = await prepareVoice(
        { path: ogg, name: 'voice-message.ogg', contentType: 'audio/ogg' },
        tools,
        AUDIO_LIMITS,
        dir,
      );
      await rm(out.path);
    };
    const voice = await alternate(VOICE_RUNS, bare, prepared);

    const photo = await makePhoto();
    const bareSharp = () =>
      sharp(photo)
        .rotate()
        .resize({ width: 2048, height: 2048, fit: 'inside' })
        .jpeg({ quality: 90 })
        .toBuffer();
    const image = await alternate(IMAGE_RUNS, bareSharp, () => prepareImage(photo, IMAGE_LIMITS));

    const ms = (x: number) => `${x.toFixed(0)} ms`;
    const ratio = (x: number, y: number) => `${(x / y).toFixed(2)}x`;
    const row = (metric: string, value: string, extra: Partial<BenchRow> = {}): BenchRow => ({
      bench: 'media',
      metric,
      value,
      ...extra,
    });
    return [
      row('voice: bare ffmpeg', ms(voice.a), {
        note: `60 s Ogg/Opus speech to MP3 96k mono; medians of ${VOICE_RUNS} alternating runs`,
      }),
      row('voice: prepareVoice', ms(voice.b), {
        note: 'ffprobe alongside one ffmpeg pass (volumedetect, progress)',
      }),
      row('voice: ratio', ratio(voice.b, voice.a), { target: '<= 1.15x' }),
      row('voice: child CPU ratio', ratio(voice.cpuB, voice.cpuA), {
        note: `${ms(voice.cpuB)} vs ${ms(voice.cpuA)} of ffmpeg/ffprobe CPU time`,
      }),
      row('image: prepareImage', ms(image.b), {
        target: '< 150 ms',
        note: `4000x3000 JPEG (${(photo.length / 1e6).toFixed(1)} MB) to 2048x1536; medians of ${IMAGE_RUNS}`,
      }),
      row('image: bare sharp', ms(image.a), { note: 'rotate + resize inside 2048 + jpeg q90' }),
      row('image: ratio', ratio(image.b, image.a)),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
