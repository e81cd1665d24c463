// The terminal adapter end to end, as `npm start` runs it on a fresh machine: no credentials, so the
// built-in emulator renders a real MP4 from the bundled samples.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot } from './helpers/bot-process.js';

const run = promisify(execFile);

async function durationOf(file: string): Promise<number> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'format=duration',
    '-of',
    'csv=p=0',
    file,
  ]);
  return Number(stdout.trim());
}

async function streamsOf(file: string): Promise<string[]> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_type',
    '-of',
    'csv=p=0',
    file,
  ]);
  return stdout.trim().split('\n').sort();
}

describe('shell adapter', () => {
  let dir: string;
  const env = () => ({
    DATA_DIR: path.join(dir, 'data'),
    OUT_DIR: path.join(dir, 'out'),
    PORT: '0',
    LOG_LEVEL: 'warn',
    EMULATOR_SUBMITTED_MS: '100',
    EMULATOR_PROCESSING_MS: '500',
  });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'shell-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('turns a piped /avatar line into a playable MP4 as long as the voice note, and exits 0', async () => {
    const bot = startBot(env(), '/avatar image=samples/face.jpg voice=samples/voice.ogg mode=std\n');
    expect(await bot.exited).toBe(0);
    const videoLine = bot.stdout.find((l) => l.startsWith('video: '));
    expect(videoLine, bot.stdout.join('\n')).toBeDefined();
    const file = path.resolve(videoLine?.slice('video: '.length) ?? '');
    expect(await streamsOf(file)).toEqual(['audio', 'video']);
    const [video, audio] = await Promise.all([durationOf(file), durationOf('samples/voice.ogg')]);
    expect(Math.abs(video - audio)).toBeLessThanOrEqual(0.1);
    expect(bot.stdout.some((l) => l.includes('Accepted: std mode'))).toBe(true);
    // The emulator notice is said once, clearly, on the log stream.
    expect(bot.logs.filter((l) => String(l.msg).includes('built-in Kling emulator'))).toHaveLength(1);
  });

  it('prints what to fix for bad lines and exits 1, without crashing on the good one', async () => {
    const input = [
      '/avatar voice=samples/voice.ogg',
      '/avatar image=samples/face.jpg voice=samples/voice.ogg text="both at once is not allowed"',
      '/avatar image=samples/face.jpg voice=samples/voice.ogg mode=ultra',
      '/avatar image=does-not-exist.jpg voice=samples/voice.ogg',
      '/frobnicate',
      '/avatar image=samples/face.jpg oops',
      '',
    ].join('\n');
    const bot = startBot(env(), input);
    expect(await bot.exited).toBe(1);
    const out = bot.stdout.join('\n');
    expect(out).toContain('error: Attach a face photo');
    expect(out).toContain('error: Give either a voice note or text to speak, not both.');
    expect(out).toContain('error: Mode must be "std" or "pro".');
    expect(out).toContain('The photo could not be downloaded');
    expect(out).toContain('error: unknown command /frobnicate');
    expect(out).toContain('expected name=value');
    expect(out).not.toMatch(/\n\s+at /); // no stack traces
  });
});
