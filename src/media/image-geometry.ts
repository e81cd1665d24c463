// The size arithmetic for a photo, kept apart from sharp so every edge is easy to test: minimum side
// (with bounded upscaling), Kling's aspect window (crop, pad or refuse) and the maximum side.
import type { Config } from '../config.js';
import { InputError } from '../errors.js';

/** Kling accepts aspect ratios from 1:2.5 to 2.5:1 (kling-avatar-api.md §1.2). */
export const MAX_ASPECT = 2.5;

export interface Geometry {
  /** Oriented source size. */
  width: number;
  height: number;
  outWidth: number;
  outHeight: number;
  /** Set when the photo is letterboxed: its scaled size and position on the output canvas. */
  pad?: { innerWidth: number; innerHeight: number; left: number; top: number };
  repairs: string[];
}

type Limits = Pick<Config['image'], 'minSide' | 'maxUpscale' | 'maxSide' | 'aspectFix'>;

export function planGeometry(width: number, height: number, limits: Limits): Geometry {
  const shortSide = Math.min(width, height);
  const upscale = shortSide < limits.minSide ? limits.minSide / shortSide : 1;
  if (upscale > limits.maxUpscale)
    throw new InputError('IMAGE_TOO_SMALL', `image is ${width}x${height}`, {
      params: { width, height, min: limits.minSide },
    });

  const ratio = width / height;
  const inside = ratio <= MAX_ASPECT && ratio >= 1 / MAX_ASPECT;
  const target = Math.min(MAX_ASPECT, Math.max(1 / MAX_ASPECT, ratio));
  const repairs: string[] = [];
  // The canvas is what the output shows, in source pixels: the photo, a centred crop of it, or the
  // photo plus padding. Cropping only shortens the long side and padding only lengthens the short one,
  // so the minimum-side check above still holds afterwards.
  let canvas = { width, height };
  if (!inside) {
    const from = `${ratio.toFixed(2)}:1`;
    const to = `${target.toFixed(2)}:1`;
    if (limits.aspectFix === 'refuse')
      throw new InputError('IMAGE_ASPECT', `aspect ratio ${from}`, {
        params: { width, height, ratio: ratio.toFixed(2) },
      });
    if (limits.aspectFix === 'crop') {
      canvas =
        ratio > 1
          ? { width: Math.floor(height * target), height }
          : { width, height: Math.floor(width / target) };
      repairs.push(`cropped ${from} to ${to}`);
    } else {
      canvas =
        ratio > 1
          ? { width, height: Math.ceil(width / target) }
          : { width: Math.ceil(height * target), height };
      repairs.push(`padded ${from} to ${to}`);
    }
  }

  const longSide = Math.max(canvas.width, canvas.height);
  const scale = Math.min(upscale, limits.maxSide / longSide);
  const out = fitAspect(
    Math.max(1, Math.round(canvas.width * scale)),
    Math.max(1, Math.round(canvas.height * scale)),
  );
  if (scale > 1) repairs.push(`upscaled ${canvas.width}x${canvas.height} to ${out.width}x${out.height}`);
  if (scale < 1) repairs.push(`downscaled ${canvas.width}x${canvas.height} to ${out.width}x${out.height}`);

  const geometry: Geometry = { width, height, outWidth: out.width, outHeight: out.height, repairs };
  if (limits.aspectFix === 'pad' && !inside) {
    const innerWidth = Math.min(out.width, Math.max(1, Math.round(width * scale)));
    const innerHeight = Math.min(out.height, Math.max(1, Math.round(height * scale)));
    geometry.pad = {
      innerWidth,
      innerHeight,
      left: Math.floor((out.width - innerWidth) / 2),
      top: Math.floor((out.height - innerHeight) / 2),
    };
  }
  return geometry;
}

/** Rounding can nudge a ratio just past the limit; trim the long side by the pixel or two it takes. */
function fitAspect(width: number, height: number): { width: number; height: number } {
  if (width > height * MAX_ASPECT) return { width: Math.floor(height * MAX_ASPECT), height };
  if (height > width * MAX_ASPECT) return { width, height: Math.floor(width * MAX_ASPECT) };
  return { width, height };
}
