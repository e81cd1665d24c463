// Turns the `image` / `sound_file` strings of a create request into checked bytes: URL (fetched with a
// size cap) or raw Base64, format sniffed from magic bytes, never from names or declared types.
import sharp from 'sharp';
import { ParamError } from './http.js';

export const IMAGE_MAX_BYTES = 10 * 1024 * 1024;
export const AUDIO_MAX_BYTES = 5 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 20_000;

export type ImageFormat = 'jpg' | 'png';
export type AudioFormat = 'mp3' | 'wav' | 'm4a' | 'aac';

/** Loads a URL or raw-Base64 field; `data:` URIs are refused, as Kling documents. */
export async function loadInput(
  field: string,
  value: string,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Buffer> {
  if (/^data:/i.test(value))
    throw new ParamError(1201, `${field} must be a URL or raw Base64 without a "data:" prefix`);
  if (/^https?:\/\//i.test(value)) return fetchCapped(field, value, maxBytes, signal);
  // Base64 never contains ':', so anything scheme-like here is an unsupported URL (ftp:, file:...).
  if (/^[a-z][a-z0-9+.-]*:/i.test(value))
    throw new ParamError(1201, `${field} must be an http(s) URL or Base64 data`);
  return decodeBase64(field, value, maxBytes);
}

function decodeBase64(field: string, value: string, maxBytes: number): Buffer {
  const compact = value.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 === 1 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact))
    throw new ParamError(1201, `${field} is neither a valid URL nor valid Base64`);
  // Checked before decoding so an oversized payload never gets allocated twice.
  if (Math.floor((compact.length * 3) / 4) - 2 > maxBytes) throw tooLarge(field, maxBytes);
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length > maxBytes) throw tooLarge(field, maxBytes);
  return bytes;
}

async function fetchCapped(
  field: string,
  raw: string,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Buffer> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ParamError(1201, `${field} is not a valid URL`);
  }
  let response: Response;
  try {
    response = await fetch(url, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]),
      redirect: 'follow',
    });
  } catch {
    throw new ParamError(1201, `${field} could not be downloaded`);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    throw new ParamError(1201, `${field} could not be downloaded (HTTP ${response.status})`);
  }
  if (Number(response.headers.get('content-length')) > maxBytes) {
    await response.body.cancel().catch(() => undefined);
    throw tooLarge(field, maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(field, maxBytes);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof ParamError) throw error;
    throw new ParamError(1201, `${field} could not be downloaded`);
  }
  return Buffer.concat(chunks);
}

function tooLarge(field: string, maxBytes: number): ParamError {
  return new ParamError(1201, `${field} exceeds the ${Math.round(maxBytes / 1024 / 1024)} MB limit`);
}

export function sniffImage(bytes: Buffer): ImageFormat | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'png';
  return null;
}

export function sniffAudio(bytes: Buffer): AudioFormat | null {
  const ascii = (start: number, end: number) => bytes.subarray(start, end).toString('latin1');
  if (ascii(0, 3) === 'ID3') return 'mp3';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'wav';
  if (ascii(4, 8) === 'ftyp') return 'm4a';
  if (ascii(0, 4) === 'ADIF') return 'aac';
  const b0 = bytes[0];
  const b1 = bytes[1];
  if (b0 === 0xff && b1 !== undefined) {
    // Both are frame-sync streams; the two "layer" bits are 00 for AAC ADTS and non-zero for MPEG audio.
    if ((b1 & 0xf6) === 0xf0) return 'aac';
    if ((b1 & 0xe0) === 0xe0 && (b1 & 0x06) !== 0) return 'mp3';
  }
  return null;
}

export interface CheckedImage {
  format: ImageFormat;
  width: number;
  height: number;
}

/** Kling's image rules: jpg/png, ≤10 MB, each side ≥300 px, aspect ratio between 1:2.5 and 2.5:1. */
export async function checkImage(bytes: Buffer): Promise<CheckedImage> {
  const format = sniffImage(bytes);
  if (!format) throw new ParamError(1201, 'image format must be jpg, jpeg or png');
  if (bytes.length > IMAGE_MAX_BYTES) throw tooLarge('image', IMAGE_MAX_BYTES);
  let width: number | undefined;
  let height: number | undefined;
  try {
    const meta = await sharp(bytes).metadata();
    // Displayed size counts: a portrait phone photo stored sideways is still portrait.
    width = meta.autoOrient?.width ?? meta.width;
    height = meta.autoOrient?.height ?? meta.height;
  } catch {
    throw new ParamError(1201, 'image could not be decoded');
  }
  if (!width || !height) throw new ParamError(1201, 'image could not be decoded');
  if (Math.min(width, height) < 300)
    throw new ParamError(1201, `image is ${width}x${height} px; each side must be at least 300 px`);
  const ratio = width / height;
  if (ratio > 2.5 || ratio < 1 / 2.5)
    throw new ParamError(1201, `image aspect ratio ${ratio.toFixed(2)} is outside 1:2.5 to 2.5:1`);
  return { format, width, height };
}
