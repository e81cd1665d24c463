// Slack request signing (v0): HMAC-SHA256 over "v0:<timestamp>:<raw body>" with the signing secret,
// a 5-minute window against replays, compared in constant time. Pure, with an injectable clock.
// @see https://api.slack.com/authentication/verifying-requests-from-slack
import { createHmac, timingSafeEqual } from 'node:crypto';

export const MAX_SKEW_SECONDS = 5 * 60;

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

export interface SignatureInput {
  signingSecret: string;
  rawBody: Buffer | string;
  timestamp: string | undefined;
  signature: string | undefined;
  nowMs?: number;
}

export function signSlackRequest(signingSecret: string, timestamp: string, rawBody: Buffer | string): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(rawBody);
  return `v0=${hmac.digest('hex')}`;
}

export function verifySlackSignature(input: SignatureInput): SignatureCheck {
  const { timestamp, signature } = input;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing' };
  const nowSeconds = Math.floor((input.nowMs ?? Date.now()) / 1000);
  // Both directions: a timestamp from the future is as suspicious as an old one.
  if (Math.abs(nowSeconds - Number(timestamp)) > MAX_SKEW_SECONDS) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signSlackRequest(input.signingSecret, timestamp, input.rawBody));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'mismatch' };
  }
  return { ok: true };
}
