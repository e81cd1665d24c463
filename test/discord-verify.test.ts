// Ed25519 verification of Discord interaction requests, with real key pairs and an injected clock.
import { describe, expect, it } from 'vitest';
import { createVerifier, publicKeyFromHex } from '../adapters/discord/verify.js';
import { makeKeys, signatureHeaders } from './fakes/fake-discord-payloads.js';

const keys = makeKeys();
const NOW_S = 1_800_000_000;
const verify = createVerifier(keys.publicKeyHex, { now: () => NOW_S * 1000 });
const body = '{"type":1,"id":"1"}';

function signed(timestamp = NOW_S, signer = keys) {
  const h = signatureHeaders(signer, body, timestamp);
  return [Buffer.from(body), h['x-signature-ed25519'], h['x-signature-timestamp']] as const;
}

describe('createVerifier', () => {
  it('accepts a request signed with the application key', async () => {
    expect(await verify(...signed())).toEqual({ ok: true });
  });

  it.each([
    ['a key that is not the application key', () => signed(NOW_S, makeKeys()), 'signature'],
    ['a timestamp six minutes old', () => signed(NOW_S - 360), 'stale'],
    ['a timestamp six minutes ahead', () => signed(NOW_S + 360), 'stale'],
  ] as const)('rejects %s', async (_name, make, reason) => {
    expect(await verify(...make())).toEqual({ ok: false, reason });
  });

  it('rejects a body changed after signing', async () => {
    const [, signature, timestamp] = signed();
    expect(await verify(Buffer.from('{"type":1,"id":"2"}'), signature, timestamp)).toEqual({
      ok: false,
      reason: 'signature',
    });
  });

  it('rejects a valid signature moved to another timestamp', async () => {
    const [payload, signature] = signed();
    expect(await verify(payload, signature, String(NOW_S - 1))).toEqual({ ok: false, reason: 'signature' });
  });

  it('rejects missing and malformed headers without doing any crypto', async () => {
    const [payload, signature, timestamp] = signed();
    expect(await verify(payload, undefined, timestamp)).toEqual({ ok: false, reason: 'missing' });
    expect(await verify(payload, signature, undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(await verify(payload, 'zz'.repeat(64), timestamp)).toEqual({ ok: false, reason: 'malformed' });
    expect(await verify(payload, signature, '12ab')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a public key that is not 32 bytes', () => {
    expect(() => publicKeyFromHex('abcd')).toThrow(/32 bytes/);
  });
});
