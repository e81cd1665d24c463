// Registers a local file under an unguessable /media/<token> URL for a limited time (audio for the
// provider to fetch, or a result link when a platform cannot take the upload).

import { randomToken } from '../../util/ids.js';
import type { RunnerContext } from '../ports.js';

export async function publishMedia(
  ctx: Pick<RunnerContext, 'store' | 'config'>,
  jobId: string,
  filePath: string,
  contentType: string,
  ttlMs: number,
): Promise<string> {
  const base = ctx.config.http.publicUrl;
  if (!base) throw new Error('PUBLIC_URL is needed to publish media');
  const token = randomToken();
  await ctx.store.putMedia(token, { path: filePath, contentType, jobId, expiresAt: Date.now() + ttlMs });
  return `${base}/media/${token}`;
}
