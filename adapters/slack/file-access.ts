// Builds AttachmentRefs for Slack files with the right workspace's token, and rebuilds them after a
// restart from what the job record kept (the file URL, or "slack-file:<team>:<id>").
import type { AttachmentRef } from '../../src/core/types.js';
import type { Logger } from '../../src/logger.js';
import type { WorkspaceRef } from './address.js';
import type { SlackClients } from './clients.js';
import { isSlackFileUrl } from './file-download.js';
import { type SlackFileMeta, toFileMeta } from './file-kinds.js';
import { type FileRole, type SlackFileDeps, slackFileRef } from './slack-file.js';

/** Private file URLs look like https://files.slack.com/files-pri/T0123-F0456/name. */
const TEAM_IN_URL = /\/files-pri\/(T[A-Z0-9]+)-(F[A-Z0-9]+)\//;
const ID_SOURCE = /^slack-file:([A-Z0-9]*):(F[A-Z0-9]+)$/;

type RevivableInput = Pick<AttachmentRef, 'name' | 'source' | 'contentType' | 'size'>;

export class FileAccess {
  constructor(
    private readonly clients: SlackClients,
    private readonly apiUrl: string | undefined,
    private readonly logger: Logger,
  ) {}

  ref(
    meta: SlackFileMeta,
    role: FileRole,
    workspace: WorkspaceRef,
    locale: string | undefined,
  ): AttachmentRef {
    return slackFileRef(meta, role, this.deps(workspace, locale), workspace.team);
  }

  /** For the core after a restart; undefined when the record holds nothing Slack can serve again. */
  revive(input: RevivableInput): AttachmentRef | undefined {
    const role: FileRole = input.contentType?.startsWith('image/') ? 'photo' : 'voice';
    const base = {
      name: input.name,
      ...(input.contentType ? { mimetype: input.contentType } : {}),
      ...(input.size !== undefined ? { size: input.size } : {}),
    };
    const byId = ID_SOURCE.exec(input.source);
    if (byId?.[2]) {
      const team = byId[1] || undefined;
      return this.ref({ ...base, id: byId[2] }, role, team ? { team } : {}, undefined);
    }
    let url: URL;
    try {
      url = new URL(input.source);
    } catch {
      return undefined;
    }
    if (!isSlackFileUrl(url, this.apiUrl)) return undefined;
    const ids = TEAM_IN_URL.exec(url.pathname);
    const team = ids?.[1];
    return this.ref(
      { ...base, id: ids?.[2] ?? 'unknown', url: input.source },
      role,
      team ? { team } : {},
      undefined,
    );
  }

  private deps(workspace: WorkspaceRef, locale: string | undefined): SlackFileDeps {
    return {
      token: () => this.clients.token(workspace),
      fileInfo: async (fileId) => {
        const client = await this.clients.client(workspace);
        const info = await client.files.info({ file: fileId });
        return toFileMeta(info.file);
      },
      apiUrl: this.apiUrl,
      logger: this.logger,
      locale,
    };
  }
}
