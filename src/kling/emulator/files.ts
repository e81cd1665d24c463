// The emulator's "CDN": serves rendered videos and TTS audio from one directory. Only names the
// emulator itself issued are served, and they are plain tokens, so path traversal cannot happen.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = { mp4: 'video/mp4', mp3: 'audio/mpeg' };
const NAME_PATTERN = /^[A-Za-z0-9-]+\.(mp4|mp3)$/;

export class FileStore {
  private readonly issued = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly baseUrl: () => string,
  ) {}

  /** Reserves a fresh file name; the file is served once it exists on disk. */
  allocate(extension: 'mp4' | 'mp3'): { name: string; filePath: string; url: string } {
    const name = `${randomUUID()}.${extension}`;
    this.issued.add(name);
    return { name, filePath: path.join(this.dir, name), url: `${this.baseUrl()}/emulator/files/${name}` };
  }

  async serve(rawName: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    let name: string;
    try {
      name = decodeURIComponent(rawName);
    } catch {
      name = '';
    }
    const match = NAME_PATTERN.exec(name);
    if (!match || !this.issued.has(name)) return notFound(res);
    const filePath = path.join(this.dir, name);
    let size: number;
    try {
      size = (await stat(filePath)).size;
    } catch {
      return notFound(res);
    }
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[match[1] ?? ''] ?? 'application/octet-stream',
      'Content-Length': size,
      'Cache-Control': 'public, max-age=2592000',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(filePath);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('Not found');
}
