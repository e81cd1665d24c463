// Who may use the bot where. The platform adapters supply the facts (roles, admin, channel) on the
// request; a rule that is set and a fact that is missing refuse, so an adapter that cannot tell a
// user's roles never lets everyone through a role rule by accident.
import type { Mode, Requester } from '../core/types.js';
import { InputError } from '../errors.js';
import type { TenantSettings } from './types.js';

function intersects(have: readonly string[] | undefined, allowed: readonly string[]): boolean {
  return (have ?? []).some((role) => allowed.includes(role));
}

/** Platform admins, and members of the tenant's admin roles. */
export function isAdmin(
  requester: Pick<Requester, 'isAdmin' | 'roles'>,
  settings: Pick<TenantSettings, 'adminRoles'>,
): boolean {
  return requester.isAdmin === true || intersects(requester.roles, settings.adminRoles);
}

/** Throws the InputError that says why this requester may not make this request here. */
export function checkAccess(
  requester: Pick<Requester, 'id' | 'isAdmin' | 'roles'>,
  channelId: string | undefined,
  mode: Mode,
  settings: TenantSettings,
): void {
  // A ban holds for admins too: it is the one rule aimed at a person, not a role.
  if (settings.banned.includes(requester.id)) throw new InputError('ACCESS_BANNED', 'user is banned');
  if (settings.allowedChannels.length > 0 && !(channelId && settings.allowedChannels.includes(channelId)))
    throw new InputError('ACCESS_CHANNEL', 'channel not allowed');
  const admin = isAdmin(requester, settings);
  if (!admin && settings.allowedRoles.length > 0 && !intersects(requester.roles, settings.allowedRoles))
    throw new InputError('ACCESS_ROLE', 'no allowed role');
  if (
    mode === 'pro' &&
    !admin &&
    settings.proRoles.length > 0 &&
    !intersects(requester.roles, settings.proRoles)
  )
    throw new InputError('ACCESS_PRO_ROLE', 'pro needs a role');
}

/** Throws ADMIN_ONLY unless the requester administers the tenant. */
export function requireAdmin(
  requester: Pick<Requester, 'isAdmin' | 'roles'>,
  settings: Pick<TenantSettings, 'adminRoles'>,
): void {
  if (!isAdmin(requester, settings)) throw new InputError('ADMIN_ONLY', 'admin only');
}
