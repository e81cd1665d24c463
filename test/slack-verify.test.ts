// Slack request signatures: the pure check the HTTP receiver runs before it parses anything.
import { describe, expect, it } from 'vitest';
import { signSlackRequest, verifySlackSignature } from '../adapters/slack/verify-signature.js';
import { sign } from './fakes/fake-slack-requests.js';

const SECRET = 'shhh-signing-secret';
const NOW_MS = 1_760_000_000_000;
const TS = String(NOW_MS / 1000);
const BODY = 'command=%2Favatar&text=&trigger_id=1.2.3';

describe('verifySlackSignature', () => {
  it('accepts a body signed with the secret within the window', () => {
    const signature = sign(SECRET, Number(TS), BODY);
    expect(signSlackRequest(SECRET, TS, BODY)).toBe(signature);
    expect(
      verifySlackSignature({
        signingSecret: SECRET,
        rawBody: Buffer.from(BODY),
        timestamp: TS,
        signature,
        nowMs: NOW_MS,
      }),
    ).toEqual({ ok: true });
  });

  it.each([
    ['another secret', sign('other-secret', Number(TS), BODY), BODY],
    ['a changed body', sign(SECRET, Number(TS), BODY), `${BODY}&x=1`],
    ['a truncated signature', sign(SECRET, Number(TS), BODY).slice(0, 20), BODY],
    ['another scheme version', sign(SECRET, Number(TS), BODY).replace('v0=', 'v1='), BODY],
  ])('refuses a signature made with %s', (_case, signature, body) => {
    expect(
      verifySlackSignature({ signingSecret: SECRET, rawBody: body, timestamp: TS, signature, nowMs: NOW_MS }),
    ).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it.each([
    ['six minutes old', -360],
    ['six minutes in the future', 360],
  ])('refuses a correctly signed request %s', (_case, offsetSeconds) => {
    const timestamp = String(NOW_MS / 1000 + offsetSeconds);
    const signature = sign(SECRET, Number(timestamp), BODY);
    expect(
      verifySlackSignature({ signingSecret: SECRET, rawBody: BODY, timestamp, signature, nowMs: NOW_MS }),
    ).toEqual({
      ok: false,
      reason: 'stale',
    });
  });

  it('accepts the edge of the 5-minute window', () => {
    const timestamp = String(NOW_MS / 1000 - 300);
    const signature = sign(SECRET, Number(timestamp), BODY);
    expect(
      verifySlackSignature({ signingSecret: SECRET, rawBody: BODY, timestamp, signature, nowMs: NOW_MS }).ok,
    ).toBe(true);
  });

  it.each([
    ['no timestamp', undefined, 'v0=abc'],
    ['no signature', TS, undefined],
    ['a non-numeric timestamp', '12ab', 'v0=abc'],
  ])('refuses a request with %s', (_case, timestamp, signature) => {
    expect(
      verifySlackSignature({ signingSecret: SECRET, rawBody: BODY, timestamp, signature, nowMs: NOW_MS }),
    ).toEqual({
      ok: false,
      reason: 'missing',
    });
  });
});
