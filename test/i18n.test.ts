// The message catalogue: every error code has a text, every catalogue has every key, and formatting
// fills placeholders and falls back to English for unknown locales.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, InputError } from '../src/errors.js';
import { catalogueProblems, describeError, registeredCatalogues, t } from '../src/i18n/catalog.js';
import { en } from '../src/i18n/en.js';

describe('message catalogue', () => {
  it('has an English text for every error code', () => {
    const missing = ERROR_CODES.filter((code) => !(`error.${code}` in en));
    expect(missing).toEqual([]);
  });

  it('has every English key, with the same placeholders, in every registered catalogue', () => {
    const catalogues = registeredCatalogues();
    expect(Object.keys(catalogues)).toContain('en');
    for (const [locale, catalogue] of Object.entries(catalogues)) {
      expect(catalogueProblems(catalogue), `locale ${locale}`).toEqual([]);
    }
  });

  it('reports a missing key and a changed placeholder', () => {
    const broken: Record<string, string> = { ...en, 'error.VOICE_TOO_LONG': 'Too long: {secs} s' };
    delete broken['job.done'];
    expect(catalogueProblems(broken)).toEqual([
      'missing job.done',
      'placeholders differ in error.VOICE_TOO_LONG',
    ]);
  });

  it('fills placeholders and keeps unknown ones visible', () => {
    const text = describeError(
      'en',
      new InputError('IMAGE_TOO_SMALL', 'x', { params: { width: 120, height: 90, min: 300 } }),
    );
    expect(text).toBe('The photo is 120×90 px; each side must be at least 300 px. Send a larger photo.');
    expect(t('en', 'error.PROMPT_TOO_LONG', { length: 3000 })).toContain('{max}');
  });

  it('falls back from a regional or unknown locale to English', () => {
    expect(t('en-GB', 'job.preparing')).toBe(en['job.preparing']);
    expect(t('xx-YY', 'job.preparing')).toBe(en['job.preparing']);
  });
});
