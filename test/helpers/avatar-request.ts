// Builds platform-neutral /avatar requests from the bundled samples, for tests that drive the core
// directly (a fresh idempotency key each time unless one is given).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AttachmentRef, AvatarRequest, Requester } from '../../src/core/types.js';
import { SAMPLE_FACE, SAMPLE_VOICE } from './test-app.js';

export function fileRef(file: string): AttachmentRef {
  return { name: path.basename(file), source: file, fetch: () => readFile(file) };
}

let counter = 0;

export function avatarRequest(
  requester: Partial<Requester> & { id: string },
  overrides: Partial<AvatarRequest> = {},
): AvatarRequest {
  counter += 1;
  return {
    idempotencyKey: `req:${process.pid}:${Date.now()}:${counter}`,
    requester: { displayName: requester.id.toUpperCase(), ...requester },
    replyTo: { adapter: 'recording', address: { channel: overrides.channelId ?? 'c1' } },
    image: fileRef(SAMPLE_FACE),
    voice: fileRef(SAMPLE_VOICE),
    ...overrides,
  };
}
