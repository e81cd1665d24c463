// Looks up and formats user-facing text. Locales fall back to their base language, then English,
// so a platform locale like "en-GB" or "ar-SA" finds the right catalogue.
import type { AvatarError, ErrorParams } from '../errors.js';
import { ar } from './ar.js';
import { en, type MessageKey } from './en.js';

export type Catalogue = Record<MessageKey, string>;

const catalogues: Record<string, Catalogue> = { en, ar };

/** Adds or replaces a language (used by translations shipped in later modules). */
export function registerCatalogue(locale: string, catalogue: Catalogue): void {
  catalogues[locale.toLowerCase()] = catalogue;
}

/** What is wrong with a catalogue compared with English: missing keys or different placeholders. */
export function catalogueProblems(catalogue: Readonly<Record<string, string>>): string[] {
  const names = (text: string) =>
    [...text.matchAll(PLACEHOLDER)]
      .map((m) => m[1])
      .sort()
      .join();
  const problems: string[] = [];
  for (const [key, english] of Object.entries(en)) {
    const text = catalogue[key];
    if (typeof text !== 'string' || text.trim() === '') problems.push(`missing ${key}`);
    else if (names(text) !== names(english)) problems.push(`placeholders differ in ${key}`);
  }
  return problems;
}

/** Every registered catalogue, for completeness checks. */
export function registeredCatalogues(): Readonly<Record<string, Readonly<Record<string, string>>>> {
  return catalogues;
}

function catalogueFor(locale: string | undefined): Catalogue {
  if (!locale) return en;
  const lower = locale.toLowerCase();
  return catalogues[lower] ?? catalogues[lower.split(/[-_]/)[0] ?? ''] ?? en;
}

const PLACEHOLDER = /\{(\w+)\}/g;

/** Formats `key` for `locale`; unknown placeholders stay visible rather than vanish. */
export function t(locale: string | undefined, key: MessageKey, params: ErrorParams = {}): string {
  const template = catalogueFor(locale)[key];
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/** The user-facing sentence for an error, never the exception's own text. */
export function describeError(locale: string | undefined, error: AvatarError): string {
  return t(locale, `error.${error.code}` as MessageKey, error.params);
}
