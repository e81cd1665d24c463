// What the listeners share: the core app, Slack clients and files, the status board, and the memory
// of recently seen deliveries.
import type { App } from '../../src/app.js';
import type { Logger } from '../../src/logger.js';
import type { SlackClients } from './clients.js';
import type { RecentKeys } from './dedupe.js';
import type { FileAccess } from './file-access.js';
import type { SlackPeople } from './people.js';
import type { StatusBoard } from './status-board.js';

export interface ListenerDeps {
  app: App;
  logger: Logger;
  clients: SlackClients;
  files: FileAccess;
  board: StatusBoard;
  /** Requester facts for the team controls (tenant, admin rights). */
  people: SlackPeople;
  /** Retried deliveries (trigger ids, view ids, action timestamps). */
  recent: RecentKeys;
  /** Double clicks on the same button by the same user, a few seconds apart. */
  clicks: RecentKeys;
}

/**
 * Slack sends no user locale with commands, shortcuts or interactivity (users.info could, with an
 * extra scope and call), so replies use the default catalogue.
 */
export const SLACK_LOCALE: string | undefined = undefined;

/** The workspace a payload came from, as Bolt's context resolved it. */
export function workspaceOf(context: {
  teamId?: string;
  enterpriseId?: string;
  isEnterpriseInstall?: boolean;
}) {
  return {
    ...(context.teamId ? { team: context.teamId } : {}),
    ...(context.enterpriseId ? { enterprise: context.enterpriseId } : {}),
    ...(context.isEnterpriseInstall ? { orgInstall: true } : {}),
  };
}
