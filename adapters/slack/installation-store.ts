// Bolt's InstallationStore for multi-workspace OAuth, kept in the adapter's key/value store (a
// namespace of the jobs' keyv store): one record per workspace, or per Enterprise Grid org for
// org-wide installs.
import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { KeyValueStore } from './kv.js';

export function installationKey(query: {
  teamId?: string | undefined;
  enterpriseId?: string | undefined;
  isEnterpriseInstall?: boolean | undefined;
}): string {
  if (query.isEnterpriseInstall) {
    if (!query.enterpriseId) throw new Error('org-wide install without an enterprise id');
    return `installation:enterprise:${query.enterpriseId}`;
  }
  if (!query.teamId) throw new Error('workspace install without a team id');
  return `installation:team:${query.teamId}`;
}

export class KvInstallationStore implements InstallationStore {
  constructor(private readonly kv: KeyValueStore) {}

  async storeInstallation<V extends 'v1' | 'v2'>(installation: Installation<V, boolean>): Promise<void> {
    const key = installationKey({
      teamId: installation.team?.id,
      enterpriseId: installation.enterprise?.id,
      isEnterpriseInstall: installation.isEnterpriseInstall === true,
    });
    await this.kv.set(key, installation);
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation<'v1' | 'v2', boolean>> {
    const installation = await this.kv.get<Installation>(installationKey(query));
    // Bolt turns this into "authorization failed" and calls no listener: the workspace is not installed.
    if (!installation) throw new Error('no installation for this workspace');
    return installation;
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.kv.delete(installationKey(query));
  }
}
