// Cutting and joining with real ffmpeg on a short note: the part MP3s tile the note sample for sample,
// and joinParts re-encodes parts that overshoot their slots, copies parts that fit (each part's
// picture starting at its planned time, never interleaved with its neighbour), and handles parts of
// different sizes. Output length always equals the audio's.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectPauses } from '../src/media/detect-pauses.js';
import { joinParts } from '../src/media/join-parts.js';
import { probeMedia } from '../src/media/probe.js';
import { runTool } from '../src/media/run.js';
import { type AudioPartFile, splitAudio } from '../src/media/split-audio.js';
import { planSplit } from '../src/media/split-plan.js';
import { decodePcm, makeLongVoice, makeSmallFace } from './helpers/long-voice.js';

const TOOLS = { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', source: 'path' as const };

async function ff(args: string[]): Promise<void> {
  await runTool('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], { timeoutMs: 60_000 });
}

/** The emulator's render of a part: the still photo at 25 fps over the part's audio, for `seconds`. */
async function render(frame: string, audio: string, seconds: number, out: string): Promise<string> {
  await ff([
    ...['-loop', '1', '-framerate', '2', '-i', frame, '-i', audio, '-map', '0:v:0', '-map', '1:a:0'],
    ...['-c:v', 'libx264', '-tune', 'stillimage', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'],
    ...['-vf', 'fps=25', '-c:a', 'aac', '-t', seconds.toFixed(3), out],
  ]);
  return out;
}

async function videoPackets(file: string): Promise<number[]> {
  const { stdout } = await runTool(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file],
    { timeoutMs: 20_000 },
  );
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => Number(l.split(',')[0]));
}

describe('splitting a note and joining its parts', () => {
  let dir: string;
  let note: string;
  let audioSeconds: number;
  let parts: AudioPartFile[];
  let frame: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'join-parts-'));
    const voice = await makeLongVoice(dir, 'note', 13);
    note = path.join(dir, 'voice.mp3');
    await ff(['-i', voice.path, '-ac', '1', '-c:a', 'libmp3lame', '-b:a', '96k', note]);
    audioSeconds = (await decodePcm(note)).length / 16_000;
    const pauses = await detectPauses(TOOLS, note, { totalSeconds: audioSeconds });
    const plan = planSplit(audioSeconds, pauses, { minSeconds: 2, maxSeconds: 5.75, searchSeconds: 4 });
    expect(plan.cuts.every((c) => c.kind === 'pause')).toBe(true);
    parts = await splitAudio(TOOLS, note, plan.parts, dir, 5_000_000);
    frame = path.join(dir, 'frame.png');
    await sharp(await makeSmallFace(dir))
      .png()
      .toFile(frame);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('cuts part MP3s that tile the note exactly', async () => {
    expect(parts.length).toBeGreaterThanOrEqual(3);
    let start = 0;
    for (const part of parts) {
      expect(part.startSeconds).toBeCloseTo(start, 6);
      const decoded = (await decodePcm(part.path)).length / 16_000;
      expect(Math.abs(decoded - part.durationSeconds)).toBeLessThan(0.002);
      expect(part.durationSeconds).toBeLessThanOrEqual(5.75 + 1e-6);
      start += part.durationSeconds;
    }
    expect(start).toBeCloseTo(audioSeconds, 2);
  });

  it('re-encodes parts rendered longer than their slots, to exactly the audio length', async () => {
    const videos = await Promise.all(
      parts.map(async (p, i) => {
        const measured = (await probeMedia(TOOLS, p.path)).durationSeconds ?? 0;
        expect(measured).toBeGreaterThan(p.durationSeconds); // the MP3's padding, as a provider sees it
        return render(frame, p.path, measured, path.join(dir, `long-${i}.mp4`));
      }),
    );
    const outPath = path.join(dir, 'joined-long.mp4');
    const partSeconds = parts.map((p) => p.durationSeconds);
    const result = await joinParts(TOOLS, {
      videoPaths: videos,
      partSeconds,
      audioPath: note,
      audioSeconds,
      outPath,
    });
    expect(result.method).toBe('reencode');
    expect(Math.abs(result.durationSeconds - audioSeconds)).toBeLessThan(0.1);
    const pts = await videoPackets(outPath);
    expect(Math.abs(pts.length - audioSeconds * 25)).toBeLessThanOrEqual(2);
  });

  it('copies parts that fit their slots, each starting at its planned time', async () => {
    const videos = await Promise.all(
      parts.map((p, i) => render(frame, p.path, p.durationSeconds, path.join(dir, `fit-${i}.mp4`))),
    );
    const outPath = path.join(dir, 'joined-fit.mp4');
    const partSeconds = parts.map((p) => p.durationSeconds);
    const result = await joinParts(TOOLS, {
      videoPaths: videos,
      partSeconds,
      audioPath: note,
      audioSeconds,
      outPath,
    });
    expect(result.method).toBe('copy');
    expect(Math.abs(result.durationSeconds - audioSeconds)).toBeLessThan(0.1);
    // Packets come part by part in decode order; no part's frames may show after the next part's.
    const pts = await videoPackets(outPath);
    const counts = await Promise.all(videos.map(async (v) => (await videoPackets(v)).length));
    let offset = 0;
    for (let i = 0; i < counts.length - 1; i++) {
      const count = counts[i] ?? 0;
      const here = pts.slice(offset, offset + count);
      const next = pts.slice(offset + count, offset + count + (counts[i + 1] ?? 0));
      const nextStart = Math.min(...next);
      expect(Math.max(...here)).toBeLessThan(nextStart);
      expect(Math.abs(nextStart - (parts[i + 1]?.startSeconds ?? 0))).toBeLessThan(0.05);
      offset += count;
    }
  });

  it('re-encodes parts of different sizes to the first one’s frame', async () => {
    const small = path.join(dir, 'frame-small.png');
    await sharp(frame).resize(200, 250).png().toFile(small);
    const videos = await Promise.all(
      parts.map((p, i) =>
        render(i === 1 ? small : frame, p.path, p.durationSeconds, path.join(dir, `mixed-${i}.mp4`)),
      ),
    );
    const outPath = path.join(dir, 'joined-mixed.mp4');
    const partSeconds = parts.map((p) => p.durationSeconds);
    const result = await joinParts(TOOLS, {
      videoPaths: videos,
      partSeconds,
      audioPath: note,
      audioSeconds,
      outPath,
    });
    expect(result.method).toBe('reencode');
    const probe = await probeMedia(TOOLS, outPath);
    expect(probe.videoStreams[0]).toMatchObject({ width: 320, height: 400 });
    expect(Math.abs((probe.durationSeconds ?? 0) - audioSeconds)).toBeLessThan(0.1);
  });
});
