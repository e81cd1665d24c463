// The Arabic catalogue: complete against English, mostly Arabic script, chosen for every Arabic
// locale spelling, and right-to-left safe (left-to-right runs sit inside balanced FSI … PDI isolates).
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { ar } from '../src/i18n/ar.js';
import { catalogueProblems, describeError, registeredCatalogues, t } from '../src/i18n/catalog.js';
import { en, type MessageKey } from '../src/i18n/en.js';

const FSI = '\u2068';
const PDI = '\u2069';
const ARABIC_LETTER = /[\u0621-\u064A]/;

/** True when every FSI is closed by a PDI, in order, with none left over. */
function balancedIsolates(text: string): boolean {
  let depth = 0;
  for (const ch of text) {
    if (ch === FSI) depth += 1;
    else if (ch === PDI) {
      depth -= 1;
      if (depth < 0) return false;
    }
  }
  return depth === 0;
}

describe('Arabic catalogue', () => {
  it('has every English key with the same placeholders, and is registered', () => {
    expect(catalogueProblems(ar)).toEqual([]);
    expect(registeredCatalogues().ar).toBe(ar);
  });

  it('has balanced bidi isolates, no LRM/RLM marks and every placeholder isolated', () => {
    for (const [key, text] of Object.entries(ar)) {
      expect(balancedIsolates(text), key).toBe(true);
      expect(text, key).not.toMatch(/[\u200E\u200F\u202A-\u202E]/);
      // A placeholder outside any isolate would let an LTR value reorder the Arabic around it. The one
      // exception is the URL of a Slack link `<{url}|text>`: Slack shows only the (Arabic) link text.
      const outside = text.replace(/\u2068[^\u2068\u2069]*\u2069/g, '').replace(/<\{url\}\|[^>]*>/g, '');
      expect(outside, key).not.toMatch(/\{\w+\}/);
    }
  });

  it('is written in Arabic script, not a copy of English', () => {
    const entries = Object.entries(ar);
    const arabic = entries.filter(([, text]) => ARABIC_LETTER.test(text));
    expect(arabic.length / entries.length).toBeGreaterThanOrEqual(0.9);
    const copied = entries.filter(([key, text]) => text === en[key as MessageKey]);
    expect(copied.map(([key]) => key)).toEqual([]);
  });

  it('formats real messages with placeholders filled and isolates balanced', () => {
    const small = describeError(
      'ar',
      new InputError('IMAGE_TOO_SMALL', 'x', { params: { width: 120, height: 90, min: 300 } }),
    );
    expect(small).toBe(
      `أبعاد الصورة ${FSI}120×90 px${PDI}، ويجب ألا يقل كل ضلع عن ${FSI}300 px${PDI}. أرسل صورة أكبر.`,
    );

    const accepted = t('ar', 'job.accepted', { mode: 'pro', seconds: '12.5', cost: '1.40' });
    expect(accepted).toContain(`${FSI}US$ 1.40${PDI}`);
    expect(accepted).toContain(`${FSI}12.5${PDI}`);

    const status = t('ar', 'status.line', {
      jobId: 'j_7f3a',
      mode: 'std',
      state: t('ar', 'state.processing'),
      elapsed: '2 min 5 s',
    });
    expect(status).toContain(`${FSI}j_7f3a${PDI}`);
    expect(status).toContain(`${FSI}2 min 5 s${PDI}`);

    const link = t('ar', 'slack.delivery.link', {
      user: '<@U123>',
      caption: t('ar', 'job.caption', { user: 'Layla' }),
      url: 'https://files.example/v.mp4',
      hours: 24,
    });
    expect(link).toContain('<https://files.example/v.mp4|');

    for (const text of [small, accepted, status, link]) {
      expect(text).not.toMatch(/\{\w+\}/);
      expect(balancedIsolates(text)).toBe(true);
      expect(text).toMatch(ARABIC_LETTER);
    }
  });

  it('is chosen for regional Arabic locales in either spelling', () => {
    expect(t('ar', 'job.preparing')).toBe(ar['job.preparing']);
    expect(t('ar-SA', 'job.preparing')).toBe(ar['job.preparing']);
    expect(t('ar_EG', 'controls.button.cancel')).toBe(ar['controls.button.cancel']);
    expect(t('AR', 'job.preparing')).toBe(ar['job.preparing']);
  });

  it('still falls back to English for unknown or missing locales', () => {
    expect(t('xx-YY', 'job.preparing')).toBe(en['job.preparing']);
    expect(t(undefined, 'job.preparing')).toBe(en['job.preparing']);
    expect(t('en-GB', 'job.preparing')).toBe(en['job.preparing']);
  });
});
