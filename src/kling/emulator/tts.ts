// Kling TTS emulation: validates the request like Kling, speaks the text with espeak-ng (or, without
// it, a sine tone of plausible length) and issues the audio_id that avatar tasks can reference.
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../logger.js';
import type { FileStore } from './files.js';
import { ParamError } from './http.js';
import { formatSeconds, type ProcessRunner, probeMedia } from './proc.js';
import { numericId } from './random.js';

export const TTS_MAX_CHARS = 1000;

/** A small subset of Kling's preset voices; several ids exist in both languages, some in one only. */
export const VOICES: Record<'en' | 'zh', ReadonlySet<string>> = {
  en: new Set([
    'oversea_male1',
    'genshin_vindi2',
    'zhinen_xuesheng',
    'ai_kaiya',
    'ai_shatang',
    'genshin_klee2',
    'uk_man2',
    'uk_boy1',
    'calm_story1',
    'reader_en_m-v1',
    'commercial_lady_en_f-v1',
  ]),
  zh: new Set([
    'genshin_vindi2',
    'zhinen_xuesheng',
    'ai_kaiya',
    'ai_shatang',
    'chengshu_jiejie',
    'you_pingjing',
    'tiyuxi_xuedi',
    'tiexin_nanyou',
  ]),
};

/** Thrown for an (id, language) pair Kling does not know; CometAPI wraps this one specially. */
export class VoiceNotFoundError extends Error {}

export interface TtsRecord {
  taskId: string;
  audioId: string;
  filePath: string;
  url: string;
  seconds: number;
  createdAt: number;
  updatedAt: number;
}

export interface TtsDeps {
  runner: ProcessRunner;
  ffmpegPath: string;
  ffprobePath: string;
  espeakPath: string | undefined;
  files: FileStore;
  scratchDir: string;
  logger: Logger;
}

export class TtsService {
  private readonly byTask = new Map<string, TtsRecord>();
  private readonly byAudio = new Map<string, TtsRecord>();

  constructor(private readonly deps: TtsDeps) {}

  get(taskId: string): TtsRecord | undefined {
    return this.byTask.get(taskId);
  }

  audio(audioId: string): { path: string; seconds: number } | undefined {
    const record = this.byAudio.get(audioId);
    return record && { path: record.filePath, seconds: record.seconds };
  }

  async create(body: Record<string, unknown>): Promise<TtsRecord> {
    const { text, voiceId, language, speed } = parseTtsBody(body);
    if (!VOICES[language].has(voiceId)) throw new VoiceNotFoundError('Voice id not found');
    const file = this.deps.files.allocate('mp3');
    await this.synthesize(text, language, speed, file.filePath);
    const probe = await probeMedia(this.deps.runner, this.deps.ffprobePath, file.filePath);
    if (!probe?.hasAudio) throw new Error('synthesized audio is unreadable');
    const now = Date.now();
    const record: TtsRecord = {
      taskId: numericId(),
      audioId: numericId(),
      filePath: file.filePath,
      url: file.url,
      seconds: probe.duration,
      createdAt: now,
      updatedAt: now,
    };
    this.byTask.set(record.taskId, record);
    this.byAudio.set(record.audioId, record);
    return record;
  }

  /** Kling answers TTS synchronously: the task is already 'succeed' in the create response. */
  data(record: TtsRecord) {
    return {
      task_id: record.taskId,
      task_status: 'succeed',
      task_status_msg: '',
      task_result: {
        audios: [{ id: record.audioId, url: record.url, duration: formatSeconds(record.seconds) }],
      },
      final_unit_deduction: '0.1',
      created_at: record.createdAt,
      updated_at: record.updatedAt,
    };
  }

  private async synthesize(text: string, language: 'en' | 'zh', speed: number, out: string): Promise<void> {
    const { runner, ffmpegPath, espeakPath, scratchDir } = this.deps;
    const mp3 = ['-c:a', 'libmp3lame', '-b:a', '64k', '-ar', '24000', '-ac', '1', out];
    if (espeakPath) {
      const base = path.join(scratchDir, randomUUID());
      try {
        // Text goes through a file, not argv, so text starting with '-' is never read as an option.
        await writeFile(`${base}.txt`, text, 'utf8');
        const voice = language === 'zh' ? 'cmn' : 'en-us';
        const wpm = String(Math.round(175 * speed));
        const spoken = await runner.run(espeakPath, [
          '-v',
          voice,
          '-s',
          wpm,
          '-f',
          `${base}.txt`,
          '-w',
          `${base}.wav`,
        ]);
        if (spoken.code === 0) {
          const encoded = await runner.run(ffmpegPath, [
            '-hide_banner',
            '-loglevel',
            'error',
            '-y',
            '-i',
            `${base}.wav`,
            ...mp3,
          ]);
          if (encoded.code === 0) return;
        }
        this.deps.logger.warn({ stderr: spoken.stderr }, 'espeak-ng failed; using a tone instead');
      } catch (error) {
        if ((error as Error).message === 'emulator closed') throw error;
        this.deps.logger.warn({ err: error }, 'espeak-ng unavailable; using a tone instead');
      } finally {
        await Promise.all([rm(`${base}.txt`, { force: true }), rm(`${base}.wav`, { force: true })]);
      }
    }
    // Roughly 14 Latin characters or 4 Chinese characters per second of speech at speed 1.
    const perSecond = (language === 'zh' ? 4 : 14) * speed;
    const seconds = Math.min(120, Math.max(1, [...text].length / perSecond));
    const tone = `sine=frequency=220:duration=${seconds.toFixed(2)}`;
    const result = await runner.run(ffmpegPath, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      tone,
      ...mp3,
    ]);
    if (result.code !== 0) throw new Error(`ffmpeg tone failed: ${result.stderr.trim()}`);
  }
}

function parseTtsBody(body: Record<string, unknown>) {
  const { text, voice_id: voiceId, voice_language: language = 'zh', voice_speed: rawSpeed } = body;
  if (text === undefined || text === null || text === '') throw new ParamError(1200, 'text is required');
  if (typeof text !== 'string') throw new ParamError(1201, 'text must be a string');
  if ([...text].length > TTS_MAX_CHARS)
    throw new ParamError(1201, `text must be at most ${TTS_MAX_CHARS} characters`);
  if (voiceId === undefined || voiceId === null || voiceId === '')
    throw new ParamError(1200, 'voice_id is required');
  if (typeof voiceId !== 'string') throw new ParamError(1201, 'voice_id must be a string');
  // Kling's default language is zh, so an English voice sent without a language is "not found".
  if (language !== 'en' && language !== 'zh')
    throw new ParamError(1201, 'voice_language must be "en" or "zh"');
  let speed = 1;
  if (rawSpeed !== undefined && rawSpeed !== null) {
    if (typeof rawSpeed !== 'number' || !Number.isFinite(rawSpeed))
      throw new ParamError(1201, 'voice_speed must be a number');
    // Kling clamps out-of-range speeds and keeps one decimal place rather than rejecting them.
    speed = Math.round(Math.min(2, Math.max(0.8, rawSpeed)) * 10) / 10;
  }
  return { text, voiceId, language: language as 'en' | 'zh', speed };
}
