// Ed25519 check of Discord's interaction signatures (X-Signature-Ed25519 over timestamp + raw body).
// Clock-injectable so tests can sign real payloads with their own key pair; the curve maths runs on
// libuv's thread pool, so a burst of interactions does not queue behind it on the event loop.
import { createPublicKey, type KeyObject, verify } from 'node:crypto';

/** Discord does not document a replay window; five minutes matches Slack's and Stripe's practice. */
export const MAX_SIGNATURE_AGE_SECONDS = 300;

const HEX_SIGNATURE = /^[0-9a-f]{128}$/i;
const DIGITS = /^\d{1,12}$/;

export type VerifyResult =
  | { ok: true }
  | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'signature' };

export interface VerifierOptions {
  maxAgeSeconds?: number;
  now?: () => number;
}

/** Builds a KeyObject once from the 64-hex-character application public key. */
export function publicKeyFromHex(hex: string): KeyObject {
  const raw = Buffer.from(hex, 'hex');
  if (raw.length !== 32) throw new Error('Discord public key must be 32 bytes of hex');
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
}

export function createVerifier(publicKeyHex: string, options: VerifierOptions = {}) {
  const key = publicKeyFromHex(publicKeyHex);
  const maxAge = options.maxAgeSeconds ?? MAX_SIGNATURE_AGE_SECONDS;
  const now = options.now ?? Date.now;
  return async (
    body: Buffer,
    signature: string | undefined,
    timestamp: string | undefined,
  ): Promise<VerifyResult> => {
    if (!signature || !timestamp) return { ok: false, reason: 'missing' };
    if (!HEX_SIGNATURE.test(signature) || !DIGITS.test(timestamp)) return { ok: false, reason: 'malformed' };
    // Checked before the signature so a replayed old request costs no crypto; both directions, because
    // a timestamp from the future is as suspicious as an old one.
    if (Math.abs(now() / 1000 - Number(timestamp)) > maxAge) return { ok: false, reason: 'stale' };
    const message = Buffer.concat([Buffer.from(timestamp, 'utf8'), body]);
    const valid = await new Promise<boolean>((resolve) =>
      verify(null, message, key, Buffer.from(signature, 'hex'), (error, ok) => resolve(!error && ok)),
    );
    return valid ? { ok: true } : { ok: false, reason: 'signature' };
  };
}

export type Verifier = ReturnType<typeof createVerifier>;
