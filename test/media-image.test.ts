// prepareImage against real encoded files made here with sharp (plus two hand-built headers sharp
// cannot write: a BMP, and a 20000x20000 PNG that would need gigabytes if anyone decoded it).
import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Config } from '../src/config.js';
import { InputError } from '../src/errors.js';
import { prepareImage } from '../src/media/prepare-image.js';
import { bmp, pngHeaderOnly } from './helpers/image-bytes.js';

const LIMITS: Config['image'] = {
  minSide: 300,
  maxUpscale: 2,
  maxSide: 2048,
  maxBytes: 10_000_000,
  maxPixels: 40_000_000,
  aspectFix: 'crop',
};

/** A simple "portrait": light background, a head-like ellipse, a dark band along the top edge. */
function portrait(width: number, height: number, background = '#dde7ee'): Sharp {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="${background}"/>
    <ellipse cx="50%" cy="50%" rx="30%" ry="35%" fill="#e8b895"/>
    <rect width="100%" height="8%" fill="#202020"/></svg>`;
  return sharp(Buffer.from(svg));
}

function noise(width: number, height: number): Sharp {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
    },
  });
}

async function expectInputError(promise: Promise<unknown>, code: string, params?: Record<string, unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).code).toBe(code);
  if (params) expect((error as InputError).params).toEqual(params);
}

async function decoded(buffer: Buffer) {
  const meta = await sharp(buffer).metadata();
  return {
    format: meta.format,
    width: meta.width,
    height: meta.height,
    exif: meta.exif,
    orientation: meta.orientation,
  };
}

async function pixel(buffer: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(buffer).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [...data.subarray(at, at + 3)];
}

describe('prepareImage: formats', () => {
  it('re-encodes a good JPEG at the same size', async () => {
    const input = await portrait(800, 600).jpeg().toBuffer();
    const out = await prepareImage(input, LIMITS);
    expect(out).toMatchObject({
      width: 800,
      height: 600,
      originalFormat: 'jpeg',
      originalWidth: 800,
      originalHeight: 600,
    });
    expect(out.repairs).toEqual([]);
    expect(await decoded(out.buffer)).toMatchObject({ format: 'jpeg', width: 800, height: 600 });
  });

  it('flattens a transparent PNG onto white', async () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600">
      <circle cx="300" cy="300" r="200" fill="#e8b895"/></svg>`;
    const input = await sharp(Buffer.from(svg)).png().toBuffer();
    expect((await sharp(input).metadata()).hasAlpha).toBe(true);
    const out = await prepareImage(input, LIMITS);
    expect(out.originalFormat).toBe('png');
    expect(out.repairs).toEqual(['converted png to jpeg', 'flattened transparency onto white']);
    expect(await decoded(out.buffer)).toMatchObject({ format: 'jpeg', width: 600, height: 600 });
    for (const channel of await pixel(out.buffer, 5, 5)) expect(channel).toBeGreaterThan(250);
  });

  it('converts WebP and AVIF', async () => {
    for (const [format, input] of [
      ['webp', await portrait(640, 800).webp().toBuffer()],
      ['avif', await portrait(640, 800).avif({ effort: 0 }).toBuffer()],
    ] as const) {
      const out = await prepareImage(input, LIMITS);
      expect(out).toMatchObject({ width: 640, height: 800, originalFormat: format });
      expect(out.repairs).toContain(`converted ${format} to jpeg`);
      expect((await decoded(out.buffer)).format).toBe('jpeg');
    }
  });

  it('turns greyscale and CMYK JPEGs into sRGB', async () => {
    for (const space of ['b-w', 'cmyk'] as const) {
      const input = await portrait(500, 500).toColourspace(space).jpeg().toBuffer();
      expect((await sharp(input).metadata()).space).toBe(space);
      const out = await prepareImage(input, LIMITS);
      const meta = await sharp(out.buffer).metadata();
      expect(meta).toMatchObject({ format: 'jpeg', space: 'srgb', channels: 3, width: 500, height: 500 });
    }
  });

  it('takes the first frame of an animated GIF', async () => {
    const frame = (rgb: number[]) => Buffer.alloc(400 * 400 * 3).fill(Buffer.from(rgb));
    const frames = Buffer.concat([frame([220, 30, 30]), frame([30, 200, 30]), frame([30, 30, 220])]);
    const input = await sharp(frames, { raw: { width: 400, height: 1200, channels: 3, pageHeight: 400 } })
      .gif()
      .toBuffer();
    expect((await sharp(input).metadata()).pages).toBe(3);
    const out = await prepareImage(input, LIMITS);
    expect(out).toMatchObject({ width: 400, height: 400, originalFormat: 'gif' });
    expect(out.repairs).toContain('used the first of 3 frames');
    const [r, g, b] = await pixel(out.buffer, 200, 200);
    expect(r).toBeGreaterThan(180);
    expect(g).toBeLessThan(80);
    expect(b).toBeLessThan(80);
  });

  it('applies EXIF orientation 6 before measuring', async () => {
    // Stored 600x400 with the dark band on top; orientation 6 displays it 400x600, band on the right.
    const input = await portrait(600, 400).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect(await decoded(input)).toMatchObject({ width: 600, height: 400, orientation: 6 });
    const out = await prepareImage(input, LIMITS);
    expect(out).toMatchObject({ width: 400, height: 600, originalWidth: 400, originalHeight: 600 });
    expect(out.repairs).toContain('rotated per EXIF orientation 6');
    const meta = await decoded(out.buffer);
    expect(meta).toMatchObject({ width: 400, height: 600 });
    expect(meta.orientation).toBeUndefined();
    const [right] = await pixel(out.buffer, 395, 300);
    const [left] = await pixel(out.buffer, 5, 300);
    expect(right).toBeLessThan(60);
    expect(left).toBeGreaterThan(200);
  });

  it('strips EXIF, including GPS, from the output', async () => {
    const input = await portrait(640, 480)
      .jpeg()
      .withExif({
        IFD0: { Artist: 'Jane Doe', Make: 'PhoneCo' },
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: '48/1 51/1 2981/100',
          GPSLongitudeRef: 'E',
          GPSLongitude: '2/1 17/1 4000/100',
        },
      })
      .toBuffer();
    // The input really carries a GPS block (tag 0x8825 points to it) and the name.
    const inExif = (await decoded(input)).exif ?? Buffer.alloc(0);
    expect(inExif.includes(Buffer.from([0x88, 0x25])) || inExif.includes(Buffer.from([0x25, 0x88]))).toBe(
      true,
    );
    expect(input.includes('Jane Doe')).toBe(true);
    const out = await prepareImage(input, LIMITS);
    expect((await decoded(out.buffer)).exif).toBeUndefined();
    expect(out.buffer.includes('Exif')).toBe(false);
    expect(out.buffer.includes('Jane Doe')).toBe(false);
    expect(out.repairs).toContain('removed EXIF/XMP/IPTC metadata');
  });

  it('refuses a truncated JPEG and a text file as unreadable', async () => {
    const jpeg = await noise(800, 600).jpeg().toBuffer();
    await expectInputError(
      prepareImage(jpeg.subarray(0, Math.floor(jpeg.length / 2)), LIMITS),
      'IMAGE_UNREADABLE',
      {},
    );
    await expectInputError(
      prepareImage(Buffer.from('this is not a photo\n'), LIMITS),
      'IMAGE_UNREADABLE',
      {},
    );
  });

  it('names formats it does not take', async () => {
    await expectInputError(prepareImage(bmp(), LIMITS), 'IMAGE_FORMAT', { format: 'BMP' });
    await expectInputError(prepareImage(await portrait(400, 400).tiff().toBuffer(), LIMITS), 'IMAGE_FORMAT', {
      format: 'TIFF',
    });
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400"><rect width="400" height="400"/></svg>',
    );
    await expectInputError(prepareImage(svg, LIMITS), 'IMAGE_FORMAT', { format: 'SVG' });
  });
});

describe('prepareImage: sizes', () => {
  it('upscales a 299 px photo within the allowed factor', async () => {
    const out = await prepareImage(await portrait(299, 400).jpeg().toBuffer(), LIMITS);
    expect(out).toMatchObject({ width: 300, height: 401, originalWidth: 299, originalHeight: 400 });
    expect(await decoded(out.buffer)).toMatchObject({ width: 300, height: 401 });
    expect(out.repairs).toEqual(['upscaled 299x400 to 300x401']);
  });

  it('refuses a 100 px photo with its measured, oriented size', async () => {
    const input = await portrait(120, 100).jpeg().withMetadata({ orientation: 8 }).toBuffer();
    await expectInputError(prepareImage(input, LIMITS), 'IMAGE_TOO_SMALL', {
      width: 100,
      height: 120,
      min: 300,
    });
  });

  it('centre-crops 3:1 to 2.5:1 by default, both ways round', async () => {
    const wide = await prepareImage(await portrait(1500, 500).jpeg().toBuffer(), LIMITS);
    expect(wide).toMatchObject({ width: 1250, height: 500 });
    expect(wide.repairs).toEqual(['cropped 3.00:1 to 2.50:1']);
    expect(await decoded(wide.buffer)).toMatchObject({ width: 1250, height: 500 });

    const tall = await prepareImage(await portrait(500, 1500).jpeg().toBuffer(), LIMITS);
    expect(tall).toMatchObject({ width: 500, height: 1250 });
    expect(tall.repairs).toEqual(['cropped 0.33:1 to 0.40:1']);
  });

  it('refuses 3:1 when aspectFix is refuse', async () => {
    const input = await portrait(1500, 500).jpeg().toBuffer();
    await expectInputError(prepareImage(input, { ...LIMITS, aspectFix: 'refuse' }), 'IMAGE_ASPECT', {
      width: 1500,
      height: 500,
      ratio: '3.00',
    });
  });

  it('pads 3:1 to 2.5:1 around the unchanged photo when aspectFix is pad', async () => {
    const input = await portrait(1500, 500, '#3060c0').jpeg().toBuffer();
    const out = await prepareImage(input, { ...LIMITS, aspectFix: 'pad' });
    expect(out).toMatchObject({ width: 1500, height: 600 });
    expect(out.repairs).toEqual(['padded 3.00:1 to 2.50:1']);
    expect(await decoded(out.buffer)).toMatchObject({ width: 1500, height: 600 });
    // The photo's dark top band now starts 50 px down; above it is the blurred fill, not black bars.
    const [bandR] = await pixel(out.buffer, 750, 60);
    const [fillR, , fillB] = await pixel(out.buffer, 750, 10);
    expect(bandR).toBeLessThan(60);
    expect(fillB).toBeGreaterThan(fillR ?? 0);
  });

  it('downscales so the longest side fits', async () => {
    const out = await prepareImage(await portrait(1600, 1200).jpeg().toBuffer(), {
      ...LIMITS,
      maxSide: 1000,
    });
    expect(out).toMatchObject({ width: 1000, height: 750 });
    expect(out.repairs).toEqual(['downscaled 1600x1200 to 1000x750']);
  });

  it('refuses a 20000x20000 PNG from its header, without decoding it', async () => {
    const bomb = pngHeaderOnly(20_000, 20_000);
    expect(bomb.length).toBeLessThan(200_000);
    const started = performance.now();
    await expectInputError(prepareImage(bomb, LIMITS), 'IMAGE_TOO_MANY_PIXELS', {
      width: 20_000,
      height: 20_000,
      maxMegapixels: 40,
    });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('lowers JPEG quality to fit the byte limit, then gives up with the sizes', async () => {
    const input = await noise(1000, 800).png().toBuffer();
    const full = await prepareImage(input, LIMITS);
    const fitted = await prepareImage(input, { ...LIMITS, maxBytes: Math.floor(full.buffer.length * 0.8) });
    expect(fitted.buffer.length).toBeLessThanOrEqual(full.buffer.length * 0.8);
    expect(fitted.repairs.at(-1)).toMatch(/^lowered JPEG quality to \d+ to fit/);
    await expectInputError(prepareImage(input, { ...LIMITS, maxBytes: 20_000 }), 'IMAGE_FILE_TOO_BIG', {
      sizeMb: expect.stringMatching(/^0\.\d+$/),
      maxMb: '0.02',
    });
  });
});
