// The terminal adapter's team controls, in-process: the operator confirms a pro job with /confirm and
// gets the video; the control commands print their replies; input that ends while a job waits for an
// answer cancels it at no cost instead of hanging, and exits 1.
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runShell } from '../adapters/shell/index.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

function terminal() {
  const lines: string[] = [];
  let partial = '';
  const output = new Writable({
    write(chunk, _encoding, done) {
      const text = partial + String(chunk);
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      done();
    },
  });
  const input = new PassThrough();
  const waitFor = async (pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const line of lines) {
        const match = pattern.exec(line);
        if (match) return match;
      }
      if (Date.now() > deadline) throw new Error(`no line matching ${pattern}:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { input, output, lines, waitFor, type: (line: string) => input.write(`${line}\n`) };
}

describe('shell team controls', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { CONFIRM_PRO: 'true', CONSENT_REQUIRED: 'true' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('confirms a pro job typed at the terminal and runs the control commands', async () => {
    const term = terminal();
    const exit = runShell(t.app, { input: term.input, output: term.output });
    term.type('/avatar image=samples/face.jpg voice=samples/voice.ogg mode=pro');
    const [, jobId] = await term.waitFor(/^\[(av-\w+)\] Answer with \/confirm av-\w+ or \/cancel/);
    expect(term.lines.join('\n')).toContain('Estimated cost US$ 0.75 (6.7 s of speech, pro mode).');
    term.type(`/avatar-status ${jobId}`);
    await term.waitFor(/waiting for your confirmation, \d+ s since it was accepted\.$/);
    term.type(`/confirm ${jobId}`);
    await term.waitFor(/^Confirmed\. Submitting the video now\.$/);
    await term.waitFor(/^video: /);
    term.type('/avatar-settings set confirm.threshold 2');
    await term.waitFor(/^confirm\.threshold is now US\$ 2\.$/);
    term.type('/avatar-usage');
    await term.waitFor(/^Your usage in \d{4}-\d\d: 1 videos, 6\.\d s, US\$ 0\.7\d\./);
    await term.waitFor(/^Team usage in /); // the operator is the local admin
    term.type('/avatar-settings set nope 1');
    await term.waitFor(/^error: There is no setting "nope"/);
    term.input.end();
    expect(await exit).toBe(1); // the bad settings line
  });

  it('cancels a job still waiting when input ends, at no cost, and exits 1', async () => {
    const term = terminal();
    const creates = t.app.emulator?.stats().creates ?? 0;
    term.type('/avatar image=samples/face.jpg voice=samples/voice.ogg mode=pro');
    term.input.end();
    expect(await runShell(t.app, { input: term.input, output: term.output })).toBe(1);
    expect(term.lines.join('\n')).toMatch(
      /Not made: It needed a confirmation, but the input ended first\. Type \/confirm av-\w+ in an interactive terminal, or change CONFIRM_THRESHOLD_USD or CONFIRM_PRO\. Nothing was charged\./,
    );
    expect(t.app.emulator?.stats().creates).toBe(creates);
  });
});
