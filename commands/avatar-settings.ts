// `/avatar-settings` for admins: view the team's settings, change or reset one, set a person's own
// limits, ban or unban someone. Defined once here; adapters derive their UI from the definition.
import { SETTING_NAMES, SETTINGS, type SettingKind, type SettingName } from '../src/controls/settings.js';
import type { Limits, TenantSettings } from '../src/controls/types.js';
import type { SettingsChange } from '../src/core/avatar-service.js';
import { InputError } from '../src/errors.js';
import { t } from '../src/i18n/catalog.js';
import type { MessageKey } from '../src/i18n/en.js';
import type { CommandDefinition } from './avatar.js';
import { type CommandHandler, replying } from './reply.js';

export const SETTINGS_ACTIONS = ['show', 'set', 'reset', 'ban', 'unban'] as const;

export const avatarSettingsCommand = {
  name: 'avatar-settings',
  description: 'Admins: view and change the bot’s settings for this server or workspace',
  options: [
    {
      name: 'action',
      type: 'choice',
      required: false,
      choices: SETTINGS_ACTIONS,
      description: 'show (default), set, reset, ban or unban',
    },
    {
      name: 'name',
      type: 'string',
      required: false,
      maxLength: 40,
      description: `Setting: ${SETTING_NAMES.join(', ')}`,
    },
    {
      name: 'value',
      type: 'string',
      required: false,
      maxLength: 500,
      description: 'New value (lists: ids separated by commas, or "any")',
    },
    {
      name: 'user',
      type: 'string',
      required: false,
      maxLength: 100,
      description: 'User id, to ban or for a person’s own limits',
    },
  ],
} as const satisfies CommandDefinition;

export const handleAvatarSettings: CommandHandler = (service, requester, args, locale) =>
  replying(service, requester, locale, async (locale) => {
    const action = args.action ?? (args.name && args.value !== undefined ? 'set' : 'show');
    if (action === 'show') {
      const { tenantId, settings, changed } = await service.viewSettings(requester);
      return { text: describeSettings(tenantId, settings, changed, locale), private: true };
    }
    const change = toChange(action, args);
    const settings = await service.changeSettings(requester, change);
    return { text: describeChange(change, settings, locale), private: true };
  });

function toChange(action: string, args: Readonly<Record<string, string | undefined>>): SettingsChange {
  const missing = (name: string, kind: string) =>
    new InputError('SETTING_INVALID', 'missing argument', {
      params: { name, value: '', expected: `settings.expect.${kind}` },
    });
  if (action === 'ban' || action === 'unban') {
    const user = args.user ?? args.name;
    if (!user) throw missing('user', 'user');
    return { action, user };
  }
  if (!args.name)
    throw new InputError('SETTING_UNKNOWN', 'no setting named', {
      params: { name: '', names: SETTING_NAMES.join(', ') },
    });
  if (action === 'reset') return { action, name: args.name };
  if (action !== 'set')
    throw new InputError('SETTING_UNKNOWN', 'unknown action', {
      params: { name: action, names: SETTINGS_ACTIONS.join(', ') },
    });
  if (args.value === undefined) throw missing(args.name, kindOf(args.name));
  return { action, name: args.name, value: args.value, ...(args.user ? { user: args.user } : {}) };
}

function describeChange(
  change: SettingsChange,
  settings: TenantSettings,
  locale: string | undefined,
): string {
  switch (change.action) {
    case 'ban':
    case 'unban':
      return t(locale, change.action === 'ban' ? 'settings.banned' : 'settings.unbanned', {
        user: change.user,
      });
    case 'set':
      if (change.user) {
        const limit = change.name.replace(/^user\./, '') as keyof Limits;
        const value = settings.users[change.user]?.[limit] ?? settings.user[limit];
        return t(locale, 'settings.setUser', {
          name: change.name,
          user: change.user,
          value: formatValue('limit', value, locale),
        });
      }
      break;
  }
  const name = change.name as SettingName;
  const value = formatValue(SETTINGS[name].kind, SETTINGS[name].read(settings), locale, name);
  return t(locale, change.action === 'reset' ? 'settings.reset' : 'settings.set', { name, value });
}

/** The whole view: one line per setting with what it does, then the per-user limits. */
export function describeSettings(
  tenantId: string,
  settings: TenantSettings,
  changed: ReadonlySet<string>,
  locale: string | undefined,
): string {
  const lines = [t(locale, 'settings.title', { tenant: tenantId })];
  for (const name of SETTING_NAMES) {
    const def = SETTINGS[name];
    lines.push(
      `• ${t(locale, 'settings.line', {
        name,
        value: formatValue(def.kind, def.read(settings), locale, name),
        changed: changed.has(name) ? t(locale, 'settings.changedMark') : '',
        description: t(locale, `setting.${name}` as MessageKey),
      })}`,
    );
  }
  for (const [user, limits] of Object.entries(settings.users)) {
    const shown = Object.entries(limits)
      .map(([k, v]) => `user.${k} = ${formatValue('limit', v, locale)}`)
      .join(', ');
    lines.push(`• ${t(locale, 'settings.userLine', { user, limits: shown })}`);
  }
  return lines.join('\n');
}

export function formatValue(
  kind: SettingKind,
  value: unknown,
  locale: string | undefined,
  name?: string,
): string {
  if (name === 'banned' && Array.isArray(value) && value.length === 0) return t(locale, 'settings.nobody');
  if (kind === 'locale' && value === '') return t(locale, 'settings.defaultLocale');
  switch (kind) {
    case 'boolean':
      return t(locale, value ? 'settings.on' : 'settings.off');
    case 'limit':
      return value === 0 ? t(locale, 'usage.unlimited') : String(value);
    case 'usd':
      return `US$ ${String(value)}`;
    case 'list':
      return Array.isArray(value) && value.length > 0 ? value.join(', ') : t(locale, 'settings.any');
    default:
      return String(value);
  }
}

function kindOf(name: string): SettingKind {
  return (SETTINGS as Record<string, { kind: SettingKind }>)[name]?.kind ?? 'list';
}
