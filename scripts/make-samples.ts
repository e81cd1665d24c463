// `npm run samples`: rebuilds the README demo inputs (samples/face.jpg, samples/voice.ogg) from scratch,
// a drawn face and synthetic speech, so no real person's photo or voice is ever committed. Each
// sample is then run through the bot's own input checks to prove the demo works end to end.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { prepareImage } from '../src/media/prepare-image.js';
import { prepareVoice } from '../src/media/prepare-voice.js';
import { runTool } from '../src/media/run.js';
import { resolveMediaTools } from '../src/media/tools.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const samplesDir = path.join(root, 'samples');
const SPEECH = 'Hello team! This is a talking avatar made from a photo and a voice note. Have a great week.';

/** A friendly cartoon head and shoulders, facing the camera, centred like a passport photo. */
const FACE_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="800" viewBox="0 0 640 800">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#cfe6f5"/><stop offset="1" stop-color="#8fb8d8"/>
    </linearGradient>
    <radialGradient id="skin" cx="0.45" cy="0.4" r="0.7">
      <stop offset="0" stop-color="#ffe0c4"/><stop offset="1" stop-color="#e9b48c"/>
    </radialGradient>
  </defs>
  <rect width="640" height="800" fill="url(#bg)"/>
  <path d="M90 800 C110 640 210 600 320 600 C430 600 530 640 550 800 Z" fill="#3f6fb5"/>
  <path d="M270 560 h100 v70 c-20 25 -80 25 -100 0 Z" fill="#e3a982"/>
  <path d="M250 612 L320 690 L390 612" fill="none" stroke="#ffffff" stroke-width="14" stroke-linejoin="round"/>
  <ellipse cx="170" cy="380" rx="34" ry="52" fill="#eab38a"/>
  <ellipse cx="470" cy="380" rx="34" ry="52" fill="#eab38a"/>
  <ellipse cx="320" cy="370" rx="150" ry="195" fill="url(#skin)"/>
  <path d="M165 340 C150 200 230 140 320 140 C420 140 495 200 478 340 C450 260 400 235 320 240 C250 240 190 265 165 340 Z" fill="#5a3825"/>
  <path d="M232 318 q34 -22 68 -4" fill="none" stroke="#5a3825" stroke-width="10" stroke-linecap="round"/>
  <path d="M340 314 q34 -18 68 4" fill="none" stroke="#5a3825" stroke-width="10" stroke-linecap="round"/>
  <ellipse cx="266" cy="360" rx="30" ry="22" fill="#ffffff"/>
  <ellipse cx="374" cy="360" rx="30" ry="22" fill="#ffffff"/>
  <circle cx="268" cy="361" r="14" fill="#4a7a3a"/><circle cx="372" cy="361" r="14" fill="#4a7a3a"/>
  <circle cx="268" cy="361" r="7" fill="#1d1d1d"/><circle cx="372" cy="361" r="7" fill="#1d1d1d"/>
  <circle cx="273" cy="356" r="3.5" fill="#ffffff"/><circle cx="377" cy="356" r="3.5" fill="#ffffff"/>
  <path d="M320 375 q-14 48 -4 58 q8 6 20 0" fill="none" stroke="#c98d68" stroke-width="7" stroke-linecap="round"/>
  <ellipse cx="230" cy="440" rx="28" ry="16" fill="#f29b8f" opacity="0.45"/>
  <ellipse cx="410" cy="440" rx="28" ry="16" fill="#f29b8f" opacity="0.45"/>
  <path d="M262 470 q58 52 116 0 q-58 22 -116 0 Z" fill="#a33a3a" stroke="#8a2d2d" stroke-width="5" stroke-linejoin="round"/>
  <path d="M276 474 q44 12 88 0 l-4 10 q-40 10 -80 0 Z" fill="#ffffff"/>
</svg>`;

async function makeFace(): Promise<string> {
  const out = path.join(samplesDir, 'face.jpg');
  const jpeg = await sharp(Buffer.from(FACE_SVG)).jpeg({ quality: 85, mozjpeg: true }).toBuffer();
  await writeFile(out, jpeg);
  return out;
}

async function makeVoice(ffmpeg: string, workDir: string): Promise<string> {
  const wav = path.join(workDir, 'speech.wav');
  const out = path.join(samplesDir, 'voice.ogg');
  await runTool('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', wav, SPEECH], { timeoutMs: 30_000 });
  // The shape of a Discord voice message: Ogg/Opus, mono, 48 kHz.
  await runTool(
    ffmpeg,
    [
      ...['-hide_banner', '-nostdin', '-y', '-i', wav, '-ac', '1', '-ar', '48000'],
      ...['-c:a', 'libopus', '-b:a', '32k', '-application', 'voip', '-map_metadata', '-1', out],
    ],
    { timeoutMs: 30_000 },
  );
  return out;
}

const tools = await resolveMediaTools({});
const workDir = await mkdtemp(path.join(tmpdir(), 'samples-'));
try {
  const face = await makeFace();
  const voice = await makeVoice(tools.ffmpeg, workDir);

  const image = await prepareImage(await readFile(face), {
    minSide: 300,
    maxUpscale: 2,
    maxSide: 2048,
    maxBytes: 10_000_000,
    maxPixels: 40_000_000,
    aspectFix: 'crop',
  });
  const prepared = await prepareVoice(
    { path: voice, name: 'voice.ogg', contentType: 'audio/ogg' },
    tools,
    { minSeconds: 2, maxSeconds: 60, maxBytes: 5_000_000 },
    workDir,
  );
  console.log(
    `${face}: ${(await stat(face)).size} bytes, ${image.width}x${image.height}, passes the image checks`,
  );
  console.log(
    `${voice}: ${(await stat(voice)).size} bytes, ${prepared.durationSeconds.toFixed(2)} s, passes the voice checks`,
  );
} finally {
  await rm(workDir, { recursive: true, force: true });
}
