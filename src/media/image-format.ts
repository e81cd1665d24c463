// Names image formats the way users know them, including formats sharp cannot open at all, so a
// BMP or JPEG XL gets "format not supported" rather than "file damaged".

export interface FormatName {
  /** Lower-case, for logs: jpeg, png, webp, gif, avif, heic, tiff, svg… */
  name: string;
  /** For the user-facing message: JPEG, PNG, WebP, GIF, AVIF, HEIC, TIFF, SVG… */
  label: string;
}

const LABELS: Record<string, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  gif: 'GIF',
  avif: 'AVIF',
  heic: 'HEIC',
  tiff: 'TIFF',
  svg: 'SVG',
};

/** From sharp's metadata; its "heif" covers both AVIF (AV1) and HEIC (HEVC). */
export function describeFormat(meta: { format: string; compression?: string | undefined }): FormatName {
  const name = meta.format === 'heif' ? (meta.compression === 'av1' ? 'avif' : 'heic') : meta.format;
  return { name, label: LABELS[name] ?? name.toUpperCase() };
}

const ascii = (buf: Buffer, start: number, end: number) => buf.subarray(start, end).toString('latin1');

/** Recognises common image formats sharp has no decoder for, by their magic bytes. */
export function sniffFormat(buf: Buffer): string | undefined {
  if (ascii(buf, 0, 2) === 'BM') return 'BMP';
  if (ascii(buf, 0, 4) === '8BPS') return 'PSD';
  if (ascii(buf, 0, 4) === '%PDF') return 'PDF';
  if (buf[0] === 0xff && buf[1] === 0x0a) return 'JPEG XL';
  if (ascii(buf, 4, 8) === 'JXL ') return 'JPEG XL';
  if (
    ascii(buf, 4, 8) === 'jP  ' ||
    (buf[0] === 0xff && buf[1] === 0x4f && buf[2] === 0xff && buf[3] === 0x51)
  )
    return 'JPEG 2000';
  if (buf.length > 6 && buf.readUInt32BE(0) === 0x00000100) return 'ICO';
  if (ascii(buf, 4, 8) === 'ftyp') {
    const brand = ascii(buf, 8, 12);
    if (['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'HEIC';
  }
  return undefined;
}
