// Turns a Discord attachment into the core's lazy AttachmentRef. Only Discord's file hosts (or the
// host of DISCORD_API_URL, for a proxy or a test fake) are ever contacted; anything else is refused.
import path from 'node:path';
import type { AttachmentRef } from '../../src/core/types.js';
import { InputError } from '../../src/errors.js';
import { DownloadError, downloadToBuffer } from '../../src/http/download.js';
import { t } from '../../src/i18n/catalog.js';
import type { DiscordFile } from './payload.js';

export type FileRole = 'image' | 'voice';

export interface AttachmentPolicy {
  /** `host[:port]` values an attachment URL may point at. */
  hosts: ReadonlySet<string>;
  /** Plain http is accepted only for the DISCORD_API_URL host (a loopback fake or an internal proxy). */
  httpHosts: ReadonlySet<string>;
  maxBytes: number;
  timeoutMs: number;
}

const DISCORD_FILE_HOSTS = ['cdn.discordapp.com', 'media.discordapp.net'];
const DOWNLOAD_TIMEOUT_MS = 60_000;
const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.jfif', '.png', '.webp', '.gif', '.avif', '.heic', '.heif']);
/** Containers the core can pull speech from; video files are fine, it extracts their audio track. */
const VOICE_TYPES = /^(audio\/|video\/|application\/ogg$|application\/octet-stream$)/;

export function attachmentPolicy(apiUrl: string | undefined, maxBytes: number): AttachmentPolicy {
  const hosts = new Set(DISCORD_FILE_HOSTS);
  const httpHosts = new Set<string>();
  if (apiUrl) {
    const api = new URL(apiUrl);
    hosts.add(api.host);
    if (api.protocol === 'http:') httpHosts.add(api.host);
  }
  return { hosts, httpHosts, maxBytes, timeoutMs: DOWNLOAD_TIMEOUT_MS };
}

export function isAllowedUrl(url: URL, policy: AttachmentPolicy): boolean {
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return policy.hosts.has(url.host);
  return url.protocol === 'http:' && policy.httpHosts.has(url.host);
}

function whatFor(role: FileRole, locale: string | undefined): string {
  return t(locale, role === 'image' ? 'discord.what.photo' : 'discord.what.voice');
}

function parseUrl(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

/**
 * Checks what can be checked before downloading (host, declared size, declared type) and throws an
 * InputError the user can act on. The core re-checks the bytes themselves after the download.
 */
export function checkAttachment(
  file: DiscordFile,
  role: FileRole,
  policy: AttachmentPolicy,
  locale?: string,
): URL {
  const what = whatFor(role, locale);
  const url = parseUrl(file.url);
  if (!url || !isAllowedUrl(url, policy))
    throw new InputError('URL_NOT_ALLOWED', 'attachment host not allowed', { params: { what } });
  if (file.size > policy.maxBytes)
    throw new InputError('DOWNLOAD_TOO_BIG', 'attachment too big', {
      params: { what, maxMb: Math.round(policy.maxBytes / 1e6) },
    });
  const type = file.content_type?.split(';')[0]?.trim().toLowerCase();
  if (role === 'image') {
    const ext = path.extname(file.filename).toLowerCase();
    const looksImage = type ? type.startsWith('image/') : IMAGE_EXT.has(ext) || ext === '';
    if (!looksImage)
      throw new InputError('IMAGE_FORMAT', 'attachment is not an image', {
        params: { format: (type?.split('/')[1] ?? ext.slice(1)) || '?' },
      });
  } else if (type && !VOICE_TYPES.test(type)) {
    throw new InputError('VOICE_UNREADABLE', 'attachment is not audio');
  }
  return url;
}

/** Validates now and returns a ref whose `fetch` downloads the bytes later, within the same rules. */
export function discordAttachment(
  file: DiscordFile,
  role: FileRole,
  policy: AttachmentPolicy,
  locale?: string,
): AttachmentRef {
  const url = checkAttachment(file, role, policy, locale);
  const what = whatFor(role, locale);
  return {
    name: file.filename,
    ...(file.content_type ? { contentType: file.content_type } : {}),
    size: file.size,
    source: url.href,
    async fetch(maxBytes) {
      const limit = Math.min(maxBytes, policy.maxBytes);
      try {
        const { bytes } = await downloadToBuffer(url.href, {
          maxBytes: limit,
          timeoutMs: policy.timeoutMs,
          maxRedirects: 2,
          // Redirect targets are held to the same host list as the original URL.
          allowUrl: (next) => isAllowedUrl(next, policy),
        });
        return bytes;
      } catch (error) {
        const reason = error instanceof DownloadError ? error.reason : 'network';
        if (reason === 'too-big')
          throw new InputError('DOWNLOAD_TOO_BIG', 'attachment too big', {
            params: { what, maxMb: Math.round(limit / 1e6) },
            cause: error,
          });
        if (reason === 'not-allowed')
          throw new InputError('URL_NOT_ALLOWED', 'redirected off Discord', {
            params: { what },
            cause: error,
          });
        throw new InputError('DOWNLOAD_FAILED', 'attachment download failed', {
          params: { what },
          cause: error,
        });
      }
    },
  };
}
