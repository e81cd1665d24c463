// Who is asking, as the team controls need it: the workspace (tenant) and whether Slack calls the user
// an admin or owner. users.info answers the latter; it is cached per user for a few minutes so a burst
// of clicks or commands costs one call. Without the users:read scope (or when Slack does not answer)
// the user counts as no admin, which only ever refuses more, never less.
import type { webApi } from '@slack/bolt';
import type { Requester } from '../../src/core/types.js';
import type { Logger } from '../../src/logger.js';
import { slackErrorCode } from './clients.js';

export const ADMIN_CACHE_MS = 5 * 60_000;
/** The answer is needed inside Slack's 3 seconds; the client's own retries could take minutes. */
const LOOKUP_TIMEOUT_MS = 1_500;
const MAX_ENTRIES = 10_000;

export interface SlackUser {
  id: string;
  username?: string;
  name?: string;
}

export class SlackPeople {
  private readonly admins = new Map<string, { admin: boolean; until: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** The requester facts for `user` of workspace `team`, asking Slack (or the cache) about admin rights. */
  async requester(client: webApi.WebClient, team: string | undefined, user: SlackUser): Promise<Requester> {
    return {
      id: user.id,
      displayName: user.username ?? user.name ?? user.id,
      ...(team ? { tenantId: team } : {}),
      isAdmin: await this.isAdmin(client, team, user.id),
    };
  }

  async isAdmin(client: webApi.WebClient, team: string | undefined, userId: string): Promise<boolean> {
    const key = `${team ?? ''}:${userId}`;
    const cached = this.admins.get(key);
    if (cached && cached.until > this.now()) return cached.admin;
    let admin = false;
    try {
      let timer: NodeJS.Timeout | undefined;
      const info = await Promise.race([
        client.users.info({ user: userId }),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error('users.info timed out')), LOOKUP_TIMEOUT_MS);
        }),
      ]).finally(() => clearTimeout(timer));
      admin = info.user?.is_admin === true || info.user?.is_owner === true;
    } catch (error) {
      // Not cached: a later call may succeed once the scope is granted or Slack answers again.
      this.logger.warn(
        { code: slackErrorCode(error), user: userId },
        'slack users.info failed; not an admin',
      );
      return false;
    }
    if (this.admins.size >= MAX_ENTRIES) this.admins.clear();
    this.admins.set(key, { admin, until: this.now() + ADMIN_CACHE_MS });
    return admin;
  }
}
