// Downloads a private Slack file with the bot token, and only from Slack's own hosts (or the host of
// SLACK_API_URL, for a proxy or a test fake): the token never leaves Slack, redirects elsewhere are
// refused, and the HTML login page Slack serves when auth is wrong is recognised instead of saved.
import { request } from 'undici';

export type SlackDownloadFailure = 'not-allowed' | 'login-page' | 'too-big' | 'status' | 'network';

export class SlackDownloadError extends Error {
  constructor(
    message: string,
    readonly reason: SlackDownloadFailure,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SlackDownloadError';
  }
}

export interface SlackDownloadOptions {
  token: string;
  maxBytes: number;
  apiUrl: string | undefined;
  timeoutMs?: number;
  maxRedirects?: number;
}

const HTML_START = /^\s*<(!doctype html|html)/i;

/** Slack's file hosts over https on the default port, or exactly the configured API origin. */
export function isSlackFileUrl(url: URL, apiUrl: string | undefined): boolean {
  if (url.username || url.password) return false;
  if (apiUrl) {
    const api = new URL(apiUrl);
    if (url.protocol === api.protocol && url.host === api.host) return true;
  }
  if (url.protocol !== 'https:' || url.port !== '') return false;
  const host = url.hostname.toLowerCase();
  return host === 'slack.com' || host.endsWith('.slack.com') || host.endsWith('.slack-edge.com');
}

export async function downloadSlackFile(
  url: string,
  options: SlackDownloadOptions,
): Promise<{ bytes: Buffer; contentType: string | undefined }> {
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw new SlackDownloadError('not a URL', 'not-allowed');
  }
  const timeoutMs = options.timeoutMs ?? 60_000;
  for (let hop = 0; ; hop++) {
    // Checked before every hop, so a redirect can never carry the token off Slack.
    if (!isSlackFileUrl(current, options.apiUrl)) {
      throw new SlackDownloadError(`refused file host ${current.host}`, 'not-allowed');
    }
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(current, {
        method: 'GET',
        headers: { authorization: `Bearer ${options.token}` },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (error) {
      throw new SlackDownloadError(`download failed: ${(error as Error).message}`, 'network');
    }
    const location = response.headers.location;
    if (response.statusCode >= 300 && response.statusCode < 400 && typeof location === 'string') {
      response.body.resume();
      if (hop >= (options.maxRedirects ?? 3)) throw new SlackDownloadError('too many redirects', 'status');
      current = new URL(location, current);
      continue;
    }
    if (response.statusCode !== 200) {
      response.body.resume();
      throw new SlackDownloadError(
        `file host answered HTTP ${response.statusCode}`,
        'status',
        response.statusCode,
      );
    }
    const type = response.headers['content-type'];
    const contentType = typeof type === 'string' ? type : undefined;
    if (contentType?.toLowerCase().startsWith('text/html')) {
      discard(response.body);
      throw new SlackDownloadError('Slack answered an HTML login page', 'login-page');
    }
    const declared = Number(response.headers['content-length'] ?? Number.NaN);
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      discard(response.body);
      throw new SlackDownloadError('file larger than allowed', 'too-big');
    }
    const bytes = await readCapped(response.body, options.maxBytes);
    // Some proxies relabel the login page; its first bytes give it away.
    if (HTML_START.test(bytes.subarray(0, 64).toString('latin1'))) {
      throw new SlackDownloadError('Slack answered an HTML login page', 'login-page');
    }
    return { bytes, contentType };
  }
}

/** Drops a body we will not read; undici reports a plain destroy() as an error nobody listens to. */
function discard(body: NodeJS.ReadableStream & { destroy(): void }): void {
  body.on('error', () => undefined);
  body.destroy();
}

async function readCapped(body: AsyncIterable<Buffer>, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    // Leaving the loop by throwing closes the stream through the iterator's return().
    for await (const chunk of body) {
      total += chunk.length;
      if (total > maxBytes) throw new SlackDownloadError('file larger than allowed', 'too-big');
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof SlackDownloadError) throw error;
    throw new SlackDownloadError(`download failed: ${(error as Error).message}`, 'network');
  }
  return Buffer.concat(chunks);
}
