// prepareVoice and resolveMediaTools against real recordings: speech from espeak-ng, turned by ffmpeg
// into the shapes chat platforms deliver (Discord OGG/Opus, Slack WebM and M4A, MP4 clips…).
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../src/config.js';
import { AvatarError, InputError } from '../src/errors.js';
import { type PreparedVoice, prepareVoice } from '../src/media/prepare-voice.js';
import { probeMedia } from '../src/media/probe.js';
import { runTool } from '../src/media/run.js';
import { type MediaTools, resolveMediaTools } from '../src/media/tools.js';

const LIMITS: Config['audio'] = { minSeconds: 2, maxSeconds: 60, maxBytes: 5_000_000 };
const SPEECH = 'Hello team. This is a short test of the voice note checks, spoken by a robot.';

let dir: string;
let tools: MediaTools;
let speechSeconds: number;
const file = (name: string) => path.join(dir, 'in', name);

async function ffmpeg(...args: string[]): Promise<void> {
  await runTool(tools.ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], {
    timeoutMs: 30_000,
  });
}

beforeAll(async () => {
  tools = await resolveMediaTools({});
  dir = await mkdtemp(path.join(tmpdir(), 'media-voice-'));
  await mkdir(path.join(dir, 'in'));
  const wav = file('speech-source.wav');
  await runTool('espeak-ng', ['-v', 'en-us', '-w', wav, SPEECH], { timeoutMs: 30_000 });
  speechSeconds = (await probeMedia(tools, wav)).durationSeconds ?? 0;
  const picture = ['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25'];
  const loop = ['-stream_loop', '-1', '-i', wav];
  await Promise.all([
    ffmpeg(
      '-i',
      wav,
      '-ar',
      '48000',
      '-c:a',
      'libopus',
      '-b:a',
      '24k',
      '-application',
      'voip',
      file('voice.ogg'),
    ),
    ffmpeg('-i', wav, '-c:a', 'libopus', '-b:a', '32k', file('clip.webm')),
    ffmpeg('-i', wav, '-c:a', 'aac', '-b:a', '64k', file('clip.m4a')),
    ffmpeg('-i', wav, '-c:a', 'libmp3lame', '-b:a', '64k', file('clip.mp3')),
    ffmpeg('-i', wav, '-ar', '44100', '-ac', '2', file('clip.wav')),
    ffmpeg('-i', wav, '-c:a', 'flac', file('clip.flac')),
    ffmpeg(
      ...picture,
      '-i',
      wav,
      '-shortest',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-c:a',
      'aac',
      file('video.mp4'),
    ),
    ffmpeg(...picture, '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', file('video-only.mp4')),
    ffmpeg(...loop, '-t', '61', '-ar', '48000', '-c:a', 'libopus', '-b:a', '16k', file('long-61s.ogg')),
    ffmpeg(...loop, '-t', '120', '-ar', '48000', '-c:a', 'libopus', '-b:a', '16k', file('long-120s.ogg')),
    ffmpeg('-i', wav, '-t', '1', '-ar', '48000', '-c:a', 'libopus', file('short-1s.ogg')),
    ffmpeg(...loop, '-t', '60', '-ar', '48000', '-c:a', 'libopus', '-b:a', '16k', file('exactly-60s.ogg')),
    ffmpeg(
      '-f',
      'lavfi',
      '-i',
      'anullsrc=r=48000:cl=mono',
      '-t',
      '5',
      '-c:a',
      'libopus',
      file('silent-5s.ogg'),
    ),
    // A dead microphone is rarely digital zero: faint hiss (peaks near -59 dB) must still count as silence,
    // while speech 30 dB quieter than normal must not.
    ffmpeg(
      '-f',
      'lavfi',
      '-i',
      'anoisesrc=r=48000:a=0.0005:c=white',
      '-t',
      '5',
      '-c:a',
      'libopus',
      file('hiss-5s.ogg'),
    ),
    ffmpeg('-i', wav, '-af', 'volume=-30dB', '-ar', '48000', '-c:a', 'libopus', file('quiet-speech.ogg')),
    ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=300x300', '-frames:v', '1', file('cover.jpg')),
    writeFile(file('notes.mp3'), 'Meeting notes: this is a text file with an .mp3 name.\n'.repeat(40)),
    writeFile(file('notes.nfo'), 'Meeting notes: this is a text file.\n'.repeat(40)),
  ]);
  await ffmpeg(
    ...['-i', file('clip.mp3'), '-i', file('cover.jpg'), '-map', '0', '-map', '1', '-c', 'copy'],
    ...['-disposition:v', 'attached_pic', '-id3v2_version', '3', file('with-cover.mp3')],
  );
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fresh work directory per call, so a test can check nothing was left behind. */
async function prepare(name: string, contentType?: string, limits = LIMITS, as = name) {
  const workDir = await mkdtemp(path.join(dir, 'work-'));
  const input = { path: file(name), name: as, ...(contentType ? { contentType } : {}) };
  return { workDir, result: prepareVoice(input, tools, limits, workDir) };
}

async function expectRefused(
  name: string,
  code: string,
  params: Record<string, unknown> = {},
  opts: { contentType?: string; as?: string; limits?: Config['audio'] } = {},
) {
  const { workDir, result } = await prepare(name, opts.contentType, opts.limits, opts.as);
  const error = await result.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).code).toBe(code);
  expect((error as InputError).params).toEqual(params);
  expect(await readdir(workDir)).toEqual([]); // the half-made MP3 was deleted
}

/** The output really is a mono MP3 of the expected length, in the work directory. */
async function expectMp3(out: PreparedVoice, workDir: string, seconds: number) {
  expect(path.dirname(out.path)).toBe(workDir);
  expect(out.durationSeconds).toBeCloseTo(seconds, 1);
  expect(Math.abs(out.durationSeconds - seconds)).toBeLessThanOrEqual(0.1);
  expect(out.bytes).toBeLessThanOrEqual(LIMITS.maxBytes);
  const probe = await probeMedia(tools, out.path);
  expect(probe.formatName).toBe('mp3');
  expect(probe.videoStreams).toEqual([]);
  expect(probe.audioStreams).toEqual([expect.objectContaining({ codec: 'mp3', channels: 1 })]);
  expect(Math.abs((probe.durationSeconds ?? 0) - seconds)).toBeLessThanOrEqual(0.1);
}

describe('prepareVoice: accepted recordings', () => {
  it.each([
    ['voice.ogg', 'audio/ogg', 'ogg/opus'],
    ['clip.webm', 'audio/webm', 'webm/opus'],
    ['clip.m4a', 'audio/mp4', 'm4a/aac'],
    ['clip.mp3', 'audio/mpeg', 'mp3/mp3'],
    ['clip.wav', undefined, 'wav/pcm_s16le'],
    ['clip.flac', 'audio/flac', 'flac/flac'],
    ['with-cover.mp3', 'audio/mpeg', 'mp3/mp3'],
  ])('converts %s (%s) to a mono MP3', async (name, contentType, originalFormat) => {
    const { workDir, result } = await prepare(name, contentType);
    const out = await result;
    await expectMp3(out, workDir, speechSeconds);
    expect(out.originalFormat).toBe(originalFormat);
    expect(out.repairs[0]).toBe(`converted ${originalFormat} to mp3`);
  });

  it('accepts quiet speech', async () => {
    const { workDir, result } = await prepare('quiet-speech.ogg', 'audio/ogg');
    await expectMp3(await result, workDir, speechSeconds);
  });

  it('accepts a note of exactly the maximum length (MP3 frame padding does not count)', async () => {
    const { workDir, result } = await prepare('exactly-60s.ogg', 'audio/ogg');
    const out = await result;
    expect(out.durationSeconds).toBeLessThanOrEqual(60);
    await expectMp3(out, workDir, 60);
  });

  it('notes the downmix of a stereo WAV', async () => {
    const out = await (await prepare('clip.wav')).result;
    expect(out.repairs).toEqual(['converted wav/pcm_s16le to mp3', 'downmixed 2 channels to mono']);
  });

  it('takes the audio of an MP4 that says it is a video', async () => {
    const { workDir, result } = await prepare('video.mp4', 'video/mp4');
    const out = await result;
    await expectMp3(out, workDir, speechSeconds);
    expect(out.repairs).toContain('took the audio track from a video');
  });
});

describe('prepareVoice: refusals', () => {
  it('refuses a video declared as audio, by MIME type or by extension', async () => {
    await expectRefused('video.mp4', 'VOICE_IS_VIDEO', {}, { contentType: 'audio/mp4' });
    await expectRefused('video.mp4', 'VOICE_IS_VIDEO', {}, { as: 'voice.m4a' });
  });

  it('refuses a file with no sound track', async () => {
    await expectRefused('video-only.mp4', 'VOICE_NO_AUDIO', {}, { contentType: 'video/mp4' });
  });

  it('refuses a text file as unreadable, even one ffprobe takes for ANSI art', async () => {
    await expectRefused('notes.mp3', 'VOICE_UNREADABLE', {}, { contentType: 'audio/mpeg' });
    await expectRefused('notes.nfo', 'VOICE_UNREADABLE');
  });

  it('refuses silence, digital or a faint hiss', async () => {
    await expectRefused('silent-5s.ogg', 'VOICE_SILENT', {}, { contentType: 'audio/ogg' });
    await expectRefused('hiss-5s.ogg', 'VOICE_SILENT', {}, { contentType: 'audio/ogg' });
  });

  it('refuses too short and too long notes with their decoded length', async () => {
    await expectRefused('short-1s.ogg', 'VOICE_TOO_SHORT', { seconds: '1.0', min: 2 });
    await expectRefused('long-61s.ogg', 'VOICE_TOO_LONG', { seconds: '61.0', max: 60 });
    await expectRefused('long-120s.ogg', 'VOICE_TOO_LONG', { seconds: '120.0', max: 60 });
  });

  it('refuses an output over the byte limit, and keeps one under it', async () => {
    const limits = { ...LIMITS, maxBytes: 20_000 };
    await expectRefused(
      'voice.ogg',
      'VOICE_FILE_TOO_BIG',
      { sizeMb: expect.stringMatching(/^0\.\d+$/), maxMb: '0.02' },
      { limits },
    );
    const { result } = await prepare('voice.ogg', 'audio/ogg', { ...LIMITS, maxBytes: 100_000 });
    expect((await result).bytes).toBeLessThanOrEqual(100_000);
  });
});

describe('resolveMediaTools', () => {
  const noNpm = { importPackage: () => Promise.reject(new Error('not installed')) };

  it('uses explicit paths when they work', async () => {
    const found = await resolveMediaTools({ ffmpegPath: '/usr/bin/ffmpeg', ffprobePath: '/usr/bin/ffprobe' });
    expect(found).toEqual({ ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe', source: 'env' });
  });

  it('falls through a bogus explicit path (missing, or not ffmpeg) to PATH', async () => {
    const found = await resolveMediaTools(
      { ffmpegPath: '/nonexistent/ffmpeg', ffprobePath: '/bin/echo' },
      { pathEnv: ['/nonexistent', 'relative/bin', '/usr/bin'].join(path.delimiter), ...noNpm },
    );
    expect(found).toEqual({ ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe', source: 'path' });
  });

  it('falls through to the npm packages when PATH has no ffmpeg', async () => {
    const found = await resolveMediaTools({ ffmpegPath: '/nonexistent/ffmpeg' }, { pathEnv: '/nonexistent' });
    expect(found.source).toBe('npm');
    expect(found.ffmpeg).toContain(`${path.sep}@ffmpeg-installer${path.sep}`);
    expect(found.ffprobe).toContain(`${path.sep}@ffprobe-installer${path.sep}`);
    await runTool(found.ffmpeg, ['-version'], { timeoutMs: 10_000 });
  });

  it('reports FFMPEG_MISSING with a one-line fix when nothing works', async () => {
    const error = await resolveMediaTools(
      { ffmpegPath: '/nonexistent/ffmpeg', ffprobePath: '/nonexistent/ffprobe' },
      { pathEnv: '/nonexistent', ...noNpm },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AvatarError);
    expect((error as AvatarError).code).toBe('FFMPEG_MISSING');
    expect((error as AvatarError).message).toMatch(
      /^ff(mpeg|probe) not found: install it \(apt-get install ffmpeg\) or set FF(MPEG|PROBE)_PATH/,
    );
    expect((error as AvatarError).message).not.toContain('\n');
  });
});
