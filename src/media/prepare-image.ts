// Turns the photo a user sent into a JPEG Kling accepts (≥ min side, 1:2.5..2.5:1, ≤ max bytes),
// repairing what can be repaired and refusing the rest with measured figures. Metadata is stripped:
// the photo goes to a third party, and EXIF can carry the sender's GPS position.
import sharp, { type Metadata, type Sharp } from 'sharp';

// Every photo is processed once, so libvips's operation cache only holds memory (tens of MB per
// process under load); turning it off keeps resident memory flat with many jobs in flight.
sharp.cache(false);

import type { Config } from '../config.js';
import { InputError } from '../errors.js';
import { describeFormat, sniffFormat } from './image-format.js';
import { type Geometry, planGeometry } from './image-geometry.js';
import { formatMb } from './units.js';

export interface PreparedImage {
  buffer: Buffer;
  width: number;
  height: number;
  /** Lower-case format name for logs: jpeg, png, webp, gif, avif, heic. */
  originalFormat: string;
  /** As displayed, i.e. after EXIF orientation. */
  originalWidth: number;
  originalHeight: number;
  repairs: string[];
}

const ACCEPTED = new Set(['jpeg', 'png', 'webp', 'gif', 'heif']);
const QUALITY = 90;
/** Tried in turn when the first encoding is over the byte limit. */
const FALLBACK_QUALITIES = [80, 70, 60, 50, 40];
const WHITE = { r: 255, g: 255, b: 255 };

export async function prepareImage(input: Buffer, limits: Config['image']): Promise<PreparedImage> {
  const meta = await readMetadata(input);
  const format = describeFormat(meta);
  if (!ACCEPTED.has(meta.format))
    throw new InputError('IMAGE_FORMAT', `unsupported image format ${format.label}`, {
      params: { format: format.label },
    });

  // Width and height are header fields: checking them here stops a decompression bomb before decoding.
  const { width, height } = meta.autoOrient;
  if (width * height > limits.maxPixels) throw tooManyPixels(width, height, limits.maxPixels);

  const geometry = planGeometry(width, height, limits);
  const repairs = describeRepairs(meta, format.name, geometry);
  const options = { limitInputPixels: limits.maxPixels, failOn: 'error' } as const;
  // sharp's JPEG output is 8-bit sRGB already, greyscale and CMYK inputs included (see the tests).
  const oriented = () => {
    const image = sharp(input, options).rotate();
    return meta.hasAlpha ? image.flatten({ background: WHITE }) : image;
  };

  try {
    const pipeline = geometry.pad ? await padded(oriented(), geometry) : resized(oriented(), geometry);
    let buffer = await pipeline.clone().jpeg({ quality: QUALITY }).toBuffer();
    if (buffer.length > limits.maxBytes) {
      // Rare (noisy photos at the largest size): decode once more, then only re-encode.
      const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
      const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
      for (const quality of FALLBACK_QUALITIES) {
        buffer = await sharp(data, raw).jpeg({ quality }).toBuffer();
        if (buffer.length <= limits.maxBytes) {
          repairs.push(`lowered JPEG quality to ${quality} to fit ${formatMb(limits.maxBytes)} MB`);
          break;
        }
      }
      if (buffer.length > limits.maxBytes)
        throw new InputError('IMAGE_FILE_TOO_BIG', `JPEG is ${buffer.length} bytes at the lowest quality`, {
          params: { sizeMb: formatMb(buffer.length), maxMb: formatMb(limits.maxBytes) },
        });
    }
    return {
      buffer,
      width: geometry.outWidth,
      height: geometry.outHeight,
      originalFormat: format.name,
      originalWidth: width,
      originalHeight: height,
      repairs,
    };
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw decodeFailure(error, meta, format.label, limits.maxPixels);
  }
}

async function readMetadata(input: Buffer): Promise<Metadata> {
  try {
    return await sharp(input, { limitInputPixels: false }).metadata();
  } catch (error) {
    const sniffed = sniffFormat(input);
    if (sniffed)
      throw new InputError('IMAGE_FORMAT', `unsupported image format ${sniffed}`, {
        params: { format: sniffed },
        cause: error,
      });
    throw new InputError('IMAGE_UNREADABLE', 'not a readable image', { cause: error });
  }
}

function resized(image: Sharp, g: Geometry): Sharp {
  if (g.outWidth === g.width && g.outHeight === g.height) return image;
  // `cover` at the final size is the centre crop and the scaling in one step.
  return image.resize({
    width: g.outWidth,
    height: g.outHeight,
    fit: 'cover',
    position: 'centre',
    fastShrinkOnLoad: true,
  });
}

/** The scaled photo centred on a blurred, slightly darkened, stretched copy of itself. */
async function padded(image: Sharp, g: Geometry): Promise<Sharp> {
  const pad = g.pad;
  if (!pad) return image;
  const { data, info } = await image
    .resize({ width: pad.innerWidth, height: pad.innerHeight, fit: 'fill', fastShrinkOnLoad: true })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { width: info.width, height: info.height, channels: info.channels };
  return sharp(data, { raw })
    .resize({ width: g.outWidth, height: g.outHeight, fit: 'cover' })
    .blur(Math.max(1, Math.max(g.outWidth, g.outHeight) / 60))
    .modulate({ brightness: 0.85 })
    .composite([{ input: data, raw, left: pad.left, top: pad.top }]);
}

function describeRepairs(meta: Metadata, formatName: string, g: Geometry): string[] {
  const repairs: string[] = [];
  if (formatName !== 'jpeg') repairs.push(`converted ${formatName} to jpeg`);
  if ((meta.pages ?? 1) > 1) repairs.push(`used the first of ${meta.pages} frames`);
  if ((meta.orientation ?? 1) > 1) repairs.push(`rotated per EXIF orientation ${meta.orientation}`);
  if (meta.hasAlpha) repairs.push('flattened transparency onto white');
  if (meta.exif || meta.xmp || meta.iptc) repairs.push('removed EXIF/XMP/IPTC metadata');
  repairs.push(...g.repairs);
  return repairs;
}

function tooManyPixels(width: number, height: number, maxPixels: number): InputError {
  return new InputError('IMAGE_TOO_MANY_PIXELS', `image is ${width}x${height}`, {
    params: { width, height, maxMegapixels: Math.round(maxPixels / 100_000) / 10 },
  });
}

function decodeFailure(error: unknown, meta: Metadata, label: string, maxPixels: number): InputError {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message))
    return tooManyPixels(meta.autoOrient.width, meta.autoOrient.height, maxPixels);
  // sharp's bundled libheif decodes AVIF but not HEVC; such a HEIC is a format problem, not damage.
  if (meta.format === 'heif' && meta.compression !== 'av1')
    return new InputError('IMAGE_FORMAT', `cannot decode ${label}: ${message}`, {
      params: { format: label },
      cause: error,
    });
  return new InputError('IMAGE_UNREADABLE', `cannot decode ${label}: ${message}`, { cause: error });
}
