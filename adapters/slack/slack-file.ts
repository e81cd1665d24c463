// A Slack file as the core's lazy AttachmentRef: the bytes are fetched only when the core asks, with
// the workspace's bot token, and every failure becomes an InputError whose text the user can act on.
import type { AttachmentRef } from '../../src/core/types.js';
import { InputError } from '../../src/errors.js';
import { t } from '../../src/i18n/catalog.js';
import type { Logger } from '../../src/logger.js';
import { downloadSlackFile, SlackDownloadError } from './file-download.js';
import type { SlackFileMeta } from './file-kinds.js';

export interface SlackFileDeps {
  /** Resolved at download time: in OAuth mode the token belongs to the file's workspace. */
  token(): Promise<string>;
  /** files.info, for file objects Slack sent without a download URL. */
  fileInfo(fileId: string): Promise<SlackFileMeta | undefined>;
  apiUrl: string | undefined;
  logger: Logger;
  locale: string | undefined;
}

export type FileRole = 'photo' | 'voice';

/** `source` for files known only by id; the team lets a restarted process pick the right token. */
export function fileIdSource(teamId: string | undefined, fileId: string): string {
  return `slack-file:${teamId ?? ''}:${fileId}`;
}

export function slackFileRef(
  meta: SlackFileMeta,
  role: FileRole,
  deps: SlackFileDeps,
  teamId?: string,
): AttachmentRef {
  return {
    name: meta.name,
    ...(meta.mimetype ? { contentType: meta.mimetype } : {}),
    ...(meta.size !== undefined ? { size: meta.size } : {}),
    source: meta.url ?? fileIdSource(teamId, meta.id),
    fetch: (maxBytes) => fetchSlackFile(meta, role, deps, maxBytes),
  };
}

async function fetchSlackFile(
  meta: SlackFileMeta,
  role: FileRole,
  deps: SlackFileDeps,
  maxBytes: number,
): Promise<Buffer> {
  const params = {
    what: t(deps.locale, role === 'photo' ? 'slack.file.photo' : 'slack.file.voice'),
    maxMb: Math.round(maxBytes / 1_000_000),
  };
  if (meta.size !== undefined && meta.size > maxBytes) {
    throw new InputError('DOWNLOAD_TOO_BIG', 'declared size over the limit', { params });
  }
  try {
    const url = meta.url ?? (await deps.fileInfo(meta.id))?.url;
    if (!url) throw new InputError('DOWNLOAD_FAILED', 'Slack gave no download URL for the file', { params });
    const { bytes } = await downloadSlackFile(url, {
      token: await deps.token(),
      maxBytes,
      apiUrl: deps.apiUrl,
    });
    return bytes;
  } catch (error) {
    if (error instanceof InputError) throw error;
    const reason = error instanceof SlackDownloadError ? error.reason : 'network';
    deps.logger.warn({ fileId: meta.id, reason, err: error }, 'slack file download failed');
    if (reason === 'not-allowed') {
      throw new InputError('URL_NOT_ALLOWED', 'file URL is not on a Slack host', { params, cause: error });
    }
    if (reason === 'too-big')
      throw new InputError('DOWNLOAD_TOO_BIG', 'file over the limit', { params, cause: error });
    if (reason === 'login-page') {
      // The user can do nothing about it, but the operator must: the message names the fix.
      throw new InputError(
        'DOWNLOAD_FAILED',
        'Slack answered its HTML login page: the bot token is invalid or lacks the files:read scope',
        { params, cause: error },
      );
    }
    throw new InputError('DOWNLOAD_FAILED', 'Slack file download failed', {
      params,
      cause: error,
      retryable: true,
    });
  }
}
