// Checks on a request's shape that need no download: run before a job exists, so the adapter can
// answer at once (an ephemeral error on Discord, a modal field error on Slack).
import type { Config } from '../config.js';
import { InputError } from '../errors.js';
import { TTS_CHARS_PER_SECOND } from '../jobs/steps/prepare.js';
import type { AvatarRequest, Mode } from './types.js';

export interface NormalisedRequest {
  mode: Mode;
  prompt: string;
  text: string | undefined;
}

export function validateRequest(request: AvatarRequest, config: Config): NormalisedRequest {
  if (!request.image) throw new InputError('IMAGE_MISSING', 'no image');
  const text = request.text?.trim() || undefined;
  if (request.voice && text) throw new InputError('VOICE_AND_TEXT', 'both voice and text');
  if (!request.voice && !text) throw new InputError('VOICE_OR_TEXT_MISSING', 'neither voice nor text');
  const mode = request.mode ?? config.request.defaultMode;
  if (mode !== 'std' && mode !== 'pro') throw new InputError('MODE_INVALID', 'bad mode');

  const prompt = request.prompt?.trim() || config.request.defaultPrompt;
  const promptMax = config.request.promptMaxChars;
  if (prompt.length > promptMax)
    throw new InputError('PROMPT_TOO_LONG', 'prompt too long', {
      params: { length: prompt.length, max: promptMax },
    });

  if (text !== undefined) {
    const { maxChars } = config.tts;
    if (text.length > maxChars)
      throw new InputError('TEXT_TOO_LONG', 'text too long', {
        params: { length: text.length, max: maxChars },
      });
    const minChars = Math.ceil(config.audio.minSeconds * TTS_CHARS_PER_SECOND);
    if (text.length < minChars)
      throw new InputError('TEXT_TOO_SHORT', 'text too short', {
        params: { min: config.audio.minSeconds, minChars },
      });
    const maxSpoken = Math.floor(config.audio.maxSeconds * TTS_CHARS_PER_SECOND * 1.3);
    if (text.length > maxSpoken)
      throw new InputError('TEXT_TOO_LONG', 'text would exceed the audio limit', {
        params: { length: text.length, max: maxSpoken },
      });
  }
  return { mode, prompt, text };
}
