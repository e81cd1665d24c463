// Shared fixtures for the Kling emulator tests: real input files made with sharp and ffmpeg, a tiny
// static file server (so inputs can be URLs), a callback receiver, a JSON request helper, and a
// one-call emulator start-up for every test that needs the provider.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { type EmulatorOptions, type KlingEmulator, startEmulator } from '../src/kling/emulator/server.js';

const run = promisify(execFile);
export const FFMPEG = '/usr/bin/ffmpeg';
export const FFPROBE = '/usr/bin/ffprobe';
export const ESPEAK = '/usr/bin/espeak-ng';
export const API_KEY = 'test-key-123456';

/** An emulator working in `<dir>/work` with Debian's ffmpeg, API_KEY and fast timings; `options` override. */
export function startTestEmulator(
  dir: string,
  options: Partial<EmulatorOptions> = {},
): Promise<KlingEmulator> {
  return startEmulator({
    workDir: path.join(dir, 'work'),
    ffmpegPath: FFMPEG,
    ffprobePath: FFPROBE,
    apiKey: API_KEY,
    submittedMs: 50,
    processingMs: 200,
    ...options,
  });
}

export interface Fixtures {
  dir: string;
  face: Buffer;
  facePng: Buffer;
  narrow: Buffer;
  wide: Buffer;
  voice: Buffer;
  voiceSeconds: number;
  longVoice: Buffer;
  shortVoice: Buffer;
}

async function image(width: number, height: number, format: 'jpeg' | 'png'): Promise<Buffer> {
  // A gradient rather than a flat colour so the encoder has real content to work with.
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i += 3) {
    const x = (i / 3) % width;
    const y = Math.floor(i / 3 / width);
    pixels[i] = (x * 255) / width;
    pixels[i + 1] = (y * 255) / height;
    pixels[i + 2] = 128;
  }
  const img = sharp(pixels, { raw: { width, height, channels: 3 } });
  return format === 'jpeg' ? img.jpeg().toBuffer() : img.png().toBuffer();
}

async function tone(dir: string, name: string, seconds: number): Promise<Buffer> {
  const file = path.join(dir, name);
  await run(FFMPEG, [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi'],
    ...['-i', `sine=frequency=330:duration=${seconds}`, '-c:a', 'libmp3lame', '-b:a', '32k', file],
  ]);
  return readFile(file);
}

export async function makeFixtures(dir: string): Promise<Fixtures> {
  const [face, facePng, narrow, wide, voice, longVoice, shortVoice] = await Promise.all([
    image(400, 500, 'jpeg'),
    image(601, 601, 'png'),
    image(299, 400, 'jpeg'),
    image(900, 300, 'jpeg'),
    tone(dir, 'voice.mp3', 3.3),
    tone(dir, 'long.mp3', 61),
    tone(dir, 'short.mp3', 1),
  ]);
  await Promise.all([
    writeFile(path.join(dir, 'face.jpg'), face),
    writeFile(path.join(dir, 'face.png'), facePng),
  ]);
  return {
    dir,
    face,
    facePng,
    narrow,
    wide,
    voice,
    voiceSeconds: await duration(path.join(dir, 'voice.mp3')),
    longVoice,
    shortVoice,
  };
}

export async function probeStreams(file: string): Promise<{ duration: number; kinds: string[] }> {
  const { stdout } = await run(FFPROBE, [
    ...['-v', 'error', '-show_entries', 'format=duration:stream=codec_type', '-of', 'json', file],
  ]);
  const parsed = JSON.parse(stdout) as {
    format: { duration: string };
    streams: Array<{ codec_type: string }>;
  };
  return { duration: Number(parsed.format.duration), kinds: parsed.streams.map((s) => s.codec_type) };
}

export async function duration(file: string): Promise<number> {
  return (await probeStreams(file)).duration;
}

export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closer(server: http.Server): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

/** Serves files from `dir` by name, like a public CDN the emulator downloads inputs from. */
export async function startFileServer(dir: string): Promise<LocalServer> {
  const server = http.createServer((req, res) => {
    const name = path.basename(req.url ?? '');
    readFile(path.join(dir, name)).then(
      (bytes) => res.writeHead(200, { 'Content-Length': bytes.length }).end(bytes),
      () => res.writeHead(404).end(),
    );
  });
  return { url: await listen(server), close: closer(server) };
}

export interface Received {
  body: Record<string, unknown>;
  contentType: string | undefined;
  at: number;
}

/** Records every callback POST; `status` lets a test make the receiver fail. */
export async function startCallbackReceiver(status = 200): Promise<LocalServer & { received: Received[] }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>,
        contentType: req.headers['content-type'],
        at: Date.now(),
      });
      res.writeHead(status).end();
    });
  });
  return { url: await listen(server), close: closer(server), received };
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect arbitrary JSON envelopes.
  json: any;
}

export async function api(
  base: string,
  route: string,
  options: { method?: string; body?: unknown; rawBody?: string; key?: string | null } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (options.key !== null) headers.Authorization = `Bearer ${options.key ?? API_KEY}`;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${base}${route}`, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('waitFor timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}
