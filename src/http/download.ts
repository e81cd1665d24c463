// Bounded HTTP downloads: a size cap enforced while streaming (a lying Content-Length cannot get past
// it), a timeout, and at most a few redirects to http(s) only. Used for results and URL inputs.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';

export interface DownloadOptions {
  maxBytes: number;
  timeoutMs: number;
  headers?: Record<string, string>;
  maxRedirects?: number;
  /** Refuse the URL (and any redirect target) unless this returns true. */
  allowUrl?: (url: URL) => boolean;
}

export class DownloadError extends Error {
  constructor(
    message: string,
    readonly reason: 'status' | 'too-big' | 'not-allowed' | 'network' | 'content-type',
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

async function open(url: string, options: DownloadOptions) {
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    if (!/^https?:$/.test(current.protocol) || (options.allowUrl && !options.allowUrl(current))) {
      throw new DownloadError(`refused URL host ${current.host}`, 'not-allowed');
    }
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(current, {
        method: 'GET',
        headers: options.headers ?? {},
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
    } catch (error) {
      throw new DownloadError(`download failed: ${(error as Error).message}`, 'network');
    }
    const location = response.headers.location;
    if (response.statusCode >= 300 && response.statusCode < 400 && typeof location === 'string') {
      response.body.resume();
      if (hop >= (options.maxRedirects ?? 3)) throw new DownloadError('too many redirects', 'status');
      current = new URL(location, current);
      continue;
    }
    if (response.statusCode !== 200) {
      response.body.resume();
      throw new DownloadError(`download answered HTTP ${response.statusCode}`, 'status', response.statusCode);
    }
    const declared = Number(response.headers['content-length'] ?? Number.NaN);
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      // dump() discards the body without the unhandled 'error' that destroy() raises on it.
      await response.body.dump().catch(() => undefined);
      throw new DownloadError('file larger than allowed', 'too-big');
    }
    return response;
  }
}

function limiter(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(new DownloadError('file larger than allowed', 'too-big'));
      else callback(null, chunk);
    },
  });
}

export async function downloadToFile(url: string, file: string, options: DownloadOptions): Promise<void> {
  const response = await open(url, options);
  try {
    await pipeline(response.body, limiter(options.maxBytes), createWriteStream(file));
  } catch (error) {
    await rm(file, { force: true });
    throw error instanceof DownloadError
      ? error
      : new DownloadError(`download failed: ${String(error)}`, 'network');
  }
}

export async function downloadToBuffer(
  url: string,
  options: DownloadOptions,
): Promise<{ bytes: Buffer; contentType: string | undefined }> {
  const response = await open(url, options);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body) {
      total += (chunk as Buffer).length;
      if (total > options.maxBytes) {
        response.body.on('error', () => undefined);
        response.body.destroy();
        throw new DownloadError('file larger than allowed', 'too-big');
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    throw error instanceof DownloadError
      ? error
      : new DownloadError(`download failed: ${String(error)}`, 'network');
  }
  const type = response.headers['content-type'];
  return { bytes: Buffer.concat(chunks), contentType: typeof type === 'string' ? type : undefined };
}
