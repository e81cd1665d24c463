// Identifiers: job ids derived from the platform's idempotency key (so a retried delivery maps to the
// same job), and unguessable tokens for callback and media URLs.
import { createHash, randomBytes } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; out.length < length && i < bytes.length; i++) out += BASE32[(bytes[i] ?? 0) % 32];
  return out;
}

/** Same key, same id: duplicate platform deliveries collapse into one job. Also the external_task_id. */
export function jobIdFor(idempotencyKey: string): string {
  return `av-${base32(createHash('sha256').update(idempotencyKey).digest(), 20)}`;
}

/** 160 bits of randomness, URL-safe: for callback and media links that must not be guessable. */
export function randomToken(): string {
  return randomBytes(20).toString('base64url');
}
