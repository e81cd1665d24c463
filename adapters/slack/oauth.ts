// Multi-workspace installs: Slack's OAuth flow (install page, state check, code exchange) served on
// the core's HTTP server at /slack/install and /slack/oauth_redirect, in HTTP and Socket Mode alike,
// with installations in the adapter's key/value store. Bolt authorises each request from that store.
import type { App as BoltApp, Logger as BoltLogger, InstallationStore, webApi } from '@slack/bolt';
import { InstallProvider } from '@slack/oauth';
import type { HttpServer } from '../../src/http/server.js';
import type { Logger } from '../../src/logger.js';
import type { WorkspaceRef } from './address.js';
import { BOT_SCOPES } from './ids.js';
import { KvInstallationStore } from './installation-store.js';
import type { KeyValueStore } from './kv.js';

export const INSTALL_PATH = '/slack/install';
export const REDIRECT_PATH = '/slack/oauth_redirect';

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
  kv: KeyValueStore;
  server: HttpServer;
  publicUrl: string | undefined;
  clientOptions: webApi.WebClientOptions;
  boltLogger: BoltLogger;
  logger: Logger;
}

export interface OAuth {
  installer: InstallProvider;
  store: InstallationStore;
  tokenFor(workspace: WorkspaceRef): Promise<string>;
  /** Forgets a workspace's installation when Slack says the app was removed or its tokens revoked. */
  listen(bolt: BoltApp): void;
}

export function setupOAuth(options: OAuthOptions): OAuth {
  const store = new KvInstallationStore(options.kv);
  const redirectUri = options.publicUrl ? `${options.publicUrl}${REDIRECT_PATH}` : undefined;
  const { logger: _logger, logLevel: _level, ...clientOptions } = options.clientOptions;
  const installer = new InstallProvider({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    stateSecret: options.stateSecret,
    installationStore: store,
    logger: options.boltLogger,
    clientOptions,
    installUrlOptions: { scopes: [...BOT_SCOPES], ...(redirectUri ? { redirectUri } : {}) },
  });
  if (!redirectUri)
    options.logger.warn(
      'PUBLIC_URL is not set: Slack must know the OAuth redirect URL from the app settings',
    );
  options.server.route('GET', INSTALL_PATH, (req, res) => installer.handleInstallPath(req, res));
  options.server.route('GET', REDIRECT_PATH, (req, res) => installer.handleCallback(req, res));

  return {
    installer,
    store,
    async tokenFor(workspace) {
      const auth = await installer.authorize({
        teamId: workspace.team,
        enterpriseId: workspace.enterprise,
        isEnterpriseInstall: workspace.orgInstall === true,
      });
      if (!auth.botToken) throw new Error('installation has no bot token');
      return auth.botToken;
    },
    listen(bolt) {
      const forget = async ({
        context,
      }: {
        context: { teamId?: string; enterpriseId?: string; isEnterpriseInstall?: boolean };
      }) => {
        await store.deleteInstallation?.({
          teamId: context.teamId,
          enterpriseId: context.enterpriseId,
          isEnterpriseInstall: context.isEnterpriseInstall === true,
        } as Parameters<NonNullable<InstallationStore['deleteInstallation']>>[0]);
        options.logger.info(
          { team: context.teamId, enterprise: context.enterpriseId },
          'slack installation removed',
        );
      };
      bolt.event('app_uninstalled', forget);
      bolt.event('tokens_revoked', forget);
    },
  };
}
