// discord.js REST settings shared by gateway mode, HTTP mode and the register script: the API base
// (DISCORD_API_URL for a proxy or a test fake), timeouts, and the HTTP strategy (see makeRequest).
import { STATUS_CODES } from 'node:http';
import type { RESTOptions, ResponseLike } from 'discord.js';
import { request } from 'undici';

/** Long enough for a 10 MiB upload on a slow uplink; a hung call then fails and the job engine retries. */
const REST_TIMEOUT_MS = 60_000;

/**
 * @discordjs/rest's default strategy hands a FormData to its own undici 6 `request`, which dispatches
 * through the process-wide dispatcher; once this project's undici 7 has installed that dispatcher,
 * multipart uploads fail ("action is not a function"). Encoding the form here, with the FormData's own
 * implementation, and sending plain bytes through undici 7 avoids mixing the two.
 */
export async function makeRequest(url: string, init: RequestInit): Promise<ResponseLike> {
  const headers = new Headers(init.headers);
  let body: Buffer | string | null = null;
  if (init.body instanceof FormData) {
    const encoded = new Response(init.body);
    headers.set('content-type', encoded.headers.get('content-type') ?? 'multipart/form-data');
    body = Buffer.from(await encoded.arrayBuffer());
  } else if (typeof init.body === 'string') {
    body = init.body;
  } else if (init.body instanceof Uint8Array) {
    body = Buffer.from(init.body);
  } else if (init.body != null) {
    throw new TypeError('unsupported Discord request body');
  }
  const res = await request(url, {
    method: (init.method ?? 'GET') as 'GET',
    headers: Object.fromEntries(headers),
    body,
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return {
    body: res.body,
    arrayBuffer: () => res.body.arrayBuffer(),
    json: () => res.body.json(),
    text: () => res.body.text(),
    get bodyUsed() {
      return res.body.bodyUsed;
    },
    headers: responseHeaders,
    status: res.statusCode,
    statusText: STATUS_CODES[res.statusCode] ?? '',
    ok: res.statusCode >= 200 && res.statusCode < 300,
  };
}

/**
 * Interaction-token routes are not bound by Discord's global limit; @discordjs/rest still counts them
 * against its client-side 50/s unless told otherwise, which would throttle a burst of acknowledgements.
 */
export const INTERACTION_GLOBAL_PER_SECOND = 100_000;

export function restOptions(apiUrl: string | undefined): Partial<RESTOptions> {
  return {
    version: '10',
    timeout: REST_TIMEOUT_MS,
    retries: 2,
    makeRequest,
    ...(apiUrl ? { api: apiUrl } : {}),
  };
}
