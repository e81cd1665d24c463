// Attachments for the terminal adapter: a local path or an http(s) URL. The shell user is the
// operator at the keyboard, so unlike chat platforms any URL host is allowed; sizes are still capped.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AttachmentRef } from '../../src/core/types.js';
import { InputError } from '../../src/errors.js';
import { DownloadError, downloadToBuffer } from '../../src/http/download.js';

export function localAttachment(spec: string, what: 'photo' | 'voice note'): AttachmentRef {
  const isUrl = /^https?:\/\//i.test(spec);
  const name = isUrl ? path.basename(new URL(spec).pathname) || 'download' : path.basename(spec);
  return {
    name,
    source: spec,
    async fetch(maxBytes) {
      if (isUrl) {
        try {
          return (await downloadToBuffer(spec, { maxBytes, timeoutMs: 60_000 })).bytes;
        } catch (error) {
          const tooBig = error instanceof DownloadError && error.reason === 'too-big';
          throw new InputError(tooBig ? 'DOWNLOAD_TOO_BIG' : 'DOWNLOAD_FAILED', 'url input failed', {
            params: { what, maxMb: Math.round(maxBytes / 1e6) },
            cause: error,
          });
        }
      }
      const info = await stat(spec).catch(() => undefined);
      if (!info?.isFile()) throw new InputError('DOWNLOAD_FAILED', 'no such file', { params: { what } });
      if (info.size > maxBytes)
        throw new InputError('DOWNLOAD_TOO_BIG', 'file too big', {
          params: { what, maxMb: Math.round(maxBytes / 1e6) },
        });
      return readFile(spec);
    },
  };
}
