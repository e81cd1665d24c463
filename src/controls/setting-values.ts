// Parsing what an admin types for a setting into its stored value, with the same rules on every
// platform: ids may be pasted as chat mentions, limits take "unlimited", amounts may carry "US$".
import { InputError } from '../errors.js';

export type SettingKind = 'mode' | 'usd' | 'limit' | 'boolean' | 'list' | 'visibility' | 'locale';
export type Value = string | number | boolean | string[];

/** Chat mentions (`<#C1|general>`, `<@&123>`, `<@U1>`) become their bare ids. */
export function bareId(text: string): string {
  return /^<[#@][&!]?([\w-]+)(?:\|[^>]*)?>$/.exec(text)?.[1] ?? text;
}

/** The stored value for `raw`, or InputError SETTING_INVALID naming the expected form. */
export function parseSetting(name: string, kind: SettingKind, raw: string): Value {
  const value = raw.trim();
  const invalid = () =>
    new InputError('SETTING_INVALID', 'bad setting value', {
      params: { name, value, expected: `settings.expect.${kind}` },
    });
  switch (kind) {
    case 'mode':
      if (value === 'std' || value === 'pro') return value;
      throw invalid();
    case 'locale':
      if (/^(none|default|-)?$/i.test(value)) return '';
      if (/^[a-z]{2,3}([-_][a-z0-9]{2,8})*$/i.test(value)) return value;
      throw invalid();
    case 'visibility':
      if (value === 'thread' || value === 'channel' || value === 'dm') return value;
      throw invalid();
    case 'boolean':
      if (/^(on|true|yes|1)$/i.test(value)) return true;
      if (/^(off|false|no|0)$/i.test(value)) return false;
      throw invalid();
    case 'usd': {
      const n = Number(value.replace(/^\$|^US\$/i, ''));
      if (value === '' || !Number.isFinite(n) || n < 0 || n > 1_000) throw invalid();
      return n;
    }
    case 'limit': {
      if (/^(unlimited|none|off)$/i.test(value)) return 0;
      const n = Number(value);
      if (value === '' || !Number.isInteger(n) || n < 0 || n > 1_000_000_000) throw invalid();
      return n;
    }
    case 'list':
      if (/^(any|none|-)?$/i.test(value)) return [];
      return [
        ...new Set(
          value
            .split(/[\s,]+/)
            .filter(Boolean)
            .map(bareId),
        ),
      ];
  }
}
