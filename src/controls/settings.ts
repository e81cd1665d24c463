// Per-tenant settings: only what an admin changed is stored (in the job store's 'settings' namespace),
// on top of the configuration defaults, so a new default in the environment reaches every tenant that
// never touched that setting.
import type { Config } from '../config.js';
import type { Mode } from '../core/types.js';
import { InputError } from '../errors.js';
import type { KeyValueNamespace } from '../jobs/job-store.js';
import { KeyedMutex } from '../util/keyed-mutex.js';
import { parseSetting, type SettingKind, type Value } from './setting-values.js';
import type { LimitName, Limits, TenantSettings } from './types.js';

export type { SettingKind } from './setting-values.js';

interface SettingDef {
  kind: SettingKind;
  read(s: TenantSettings): Value;
  write(s: TenantSettings, v: Value): void;
}

const limit = (scope: 'user' | 'tenant', name: LimitName): SettingDef => ({
  kind: 'limit',
  read: (s) => s[scope][name],
  write: (s, v) => {
    s[scope][name] = v as number;
  },
});
const list = (
  key: 'allowedChannels' | 'allowedRoles' | 'proRoles' | 'adminRoles' | 'banned',
): SettingDef => ({
  kind: 'list',
  read: (s) => s[key],
  write: (s, v) => {
    s[key] = v as string[];
  },
});

type Scalar = 'defaultMode' | 'confirmThresholdUsd' | 'confirmPro' | 'visibility' | 'locale';
const scalar = (kind: SettingKind, key: Scalar): SettingDef => ({
  kind,
  read: (s) => s[key],
  write: (s, v) => {
    (s as Record<Scalar, Value>)[key] = v;
  },
});
const price = (mode: Mode): SettingDef => ({
  kind: 'usd',
  read: (s) => s.prices[mode],
  write: (s, v) => {
    s.prices[mode] = v as number;
  },
});

/** Every setting an admin can see and change, by the name the commands use. */
export const SETTINGS = {
  mode: scalar('mode', 'defaultMode'),
  'price.std': price('std'),
  'price.pro': price('pro'),
  'confirm.threshold': scalar('usd', 'confirmThresholdUsd'),
  'confirm.pro': scalar('boolean', 'confirmPro'),
  'user.concurrent': limit('user', 'concurrent'),
  'user.perDay': limit('user', 'perDay'),
  'user.secondsPerMonth': limit('user', 'secondsPerMonth'),
  'tenant.concurrent': limit('tenant', 'concurrent'),
  'tenant.perDay': limit('tenant', 'perDay'),
  'tenant.secondsPerMonth': limit('tenant', 'secondsPerMonth'),
  channels: list('allowedChannels'),
  roles: list('allowedRoles'),
  proRoles: list('proRoles'),
  adminRoles: list('adminRoles'),
  banned: list('banned'),
  visibility: scalar('visibility', 'visibility'),
  locale: scalar('locale', 'locale'),
} satisfies Record<string, SettingDef>;

export type SettingName = keyof typeof SETTINGS;
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];
export const LIMIT_NAMES: readonly LimitName[] = ['concurrent', 'perDay', 'secondsPerMonth'];

/** What is stored per tenant: the changed values and per-user limit overrides. */
interface StoredSettings {
  values: Partial<Record<SettingName, Value>>;
  users: Record<string, Partial<Limits>>;
  updatedAt?: number;
  updatedBy?: string;
}

export class SettingsStore {
  private readonly mutex = new KeyedMutex();

  constructor(
    private readonly kv: KeyValueNamespace,
    private readonly config: Config,
  ) {}

  defaults(): TenantSettings {
    const c = this.config.controls;
    return {
      defaultMode: this.config.request.defaultMode,
      prices: { ...this.config.prices },
      confirmThresholdUsd: c.confirmThresholdUsd,
      confirmPro: c.confirmPro,
      user: { ...c.limits.user },
      tenant: { ...c.limits.tenant },
      users: {},
      allowedChannels: [],
      allowedRoles: [],
      proRoles: [],
      adminRoles: [],
      banned: [],
      visibility: c.visibility,
      locale: '',
    };
  }

  async get(tenantId: string): Promise<TenantSettings> {
    const stored = await this.stored(tenantId);
    const settings = this.defaults();
    for (const name of SETTING_NAMES) {
      const value = stored.values[name];
      if (value !== undefined) SETTINGS[name].write(settings, value);
    }
    settings.users = stored.users;
    return settings;
  }

  /** The names an admin changed, for the settings view. */
  async changed(tenantId: string): Promise<Set<SettingName>> {
    return new Set(Object.keys((await this.stored(tenantId)).values) as SettingName[]);
  }

  /** Parses `raw` for `name` (InputError SETTING_UNKNOWN or SETTING_INVALID) and stores it. */
  async set(tenantId: string, name: string, raw: string, by: string): Promise<TenantSettings> {
    const setting = settingNamed(name);
    const value = parseSetting(name, setting.kind, raw);
    return this.change(tenantId, by, (s) => {
      s.values[name as SettingName] = value;
    });
  }

  async reset(tenantId: string, name: string, by: string): Promise<TenantSettings> {
    settingNamed(name);
    return this.change(tenantId, by, (s) => {
      delete s.values[name as SettingName];
    });
  }

  /** A per-user limit; `raw` "default" removes the override. */
  async setUserLimit(
    tenantId: string,
    userId: string,
    name: string,
    raw: string,
    by: string,
  ): Promise<TenantSettings> {
    const limitName = name.replace(/^user\./, '') as LimitName;
    if (!LIMIT_NAMES.includes(limitName))
      throw new InputError('SETTING_UNKNOWN', 'unknown limit', {
        params: { name, names: LIMIT_NAMES.map((n) => `user.${n}`).join(', ') },
      });
    const value = raw.trim() === 'default' ? undefined : (parseSetting(name, 'limit', raw) as number);
    return this.change(tenantId, by, (s) => {
      const limits = { ...(s.users[userId] ?? {}) };
      if (value === undefined) delete limits[limitName];
      else limits[limitName] = value;
      if (Object.keys(limits).length === 0) delete s.users[userId];
      else s.users[userId] = limits;
    });
  }

  /** Adds or removes a user id in the ban list. */
  setBanned(tenantId: string, userId: string, banned: boolean, by: string): Promise<TenantSettings> {
    return this.change(tenantId, by, (s) => {
      const current = new Set((s.values.banned as string[] | undefined) ?? []);
      if (banned) current.add(userId);
      else current.delete(userId);
      s.values.banned = [...current];
    });
  }

  private async stored(tenantId: string): Promise<StoredSettings> {
    return (await this.kv.get<StoredSettings>(tenantId)) ?? { values: {}, users: {} };
  }

  private change(tenantId: string, by: string, edit: (s: StoredSettings) => void): Promise<TenantSettings> {
    return this.mutex.run(tenantId, async () => {
      const stored = await this.stored(tenantId);
      edit(stored);
      await this.kv.set(tenantId, { ...stored, updatedAt: Date.now(), updatedBy: by });
      return this.get(tenantId);
    });
  }
}

export function settingNamed(name: string): SettingDef {
  const setting = (SETTINGS as Record<string, SettingDef>)[name];
  if (!setting)
    throw new InputError('SETTING_UNKNOWN', 'unknown setting', {
      params: { name, names: SETTING_NAMES.join(', ') },
    });
  return setting;
}
