// The terminal adapter (the default when no chat platform is configured, like Hubot's shell): reads
// `/avatar …` lines and the team-control commands from stdin, prints progress, writes videos to
// OUT_DIR. When stdin is piped and ends, it waits for its jobs and exits 0, or 1 if any job failed.
// The operator at the keyboard is the admin of the tenant 'local'.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { avatarUsage } from '../../commands/avatar.js';
import type { App } from '../../src/app.js';
import type { Mode, Requester } from '../../src/core/types.js';
import { AvatarError, InputError } from '../../src/errors.js';
import { describeError } from '../../src/i18n/catalog.js';
import { buildUpdate } from '../../src/jobs/notifier.js';
import { controlsHelp, runControl, WaitingJobs } from './controls.js';
import { localAttachment } from './local-attachment.js';
import { parseLine } from './parse-line.js';
import { SHELL_ADAPTER, ShellAdapter } from './shell-adapter.js';

export interface ShellOptions {
  input: Readable & { isTTY?: boolean };
  output: Writable;
  /** Lines handled before reading input (`npm run demo` uses the bundled samples). */
  preset?: string[];
}

/** The terminal's tenant for settings, budgets and usage. */
export const SHELL_TENANT = 'local';

/** The request `npm run demo` makes: the bundled face and voice note. */
export const DEMO_LINE = '/avatar image=samples/face.jpg voice=samples/voice.ogg';

/** Runs until input ends; resolves with the process exit code. */
export async function runShell(app: App, options: ShellOptions): Promise<number> {
  const write = (line: string) => options.output.write(`${line}\n`);
  const requester: Requester = {
    id: process.env.USER ?? 'shell',
    displayName: process.env.USER ?? 'you',
    tenantId: SHELL_TENANT,
    isAdmin: true,
  };
  const waiting = new WaitingJobs(app.service, requester, write);
  const adapter = new ShellAdapter(app.config.paths.outDir, write, (update) => waiting.seen(update));
  app.service.registerAdapter(adapter);
  const resumed = await app.service.resume();
  if (resumed > 0) write(`resuming ${resumed} unfinished job(s)`);
  // Jobs left waiting for an answer by the last run: ask again, so they can be answered here, and so
  // that they are cancelled at no cost once input ends instead of holding the shell until they expire.
  if (resumed > 0)
    for (const job of await app.store.listUnfinished())
      if (job.state === 'awaiting_confirmation' && job.replyTo.adapter === SHELL_ADAPTER)
        await adapter.update(buildUpdate(job, 'awaiting_confirmation'));

  const interactive = options.input.isTTY === true;
  const started = Date.now();
  let lineNo = 0;
  const rl = createInterface({ input: options.input, terminal: false });
  // Created now: an iterator made after the input has already ended (e.g. </dev/null) never finishes.
  const inputLines = rl[Symbol.asyncIterator]();
  if (interactive) write(`Type ${avatarUsage()} (or /help). Ctrl-D to quit.`);
  let submitErrors = 0;

  async function* lines(): AsyncGenerator<string> {
    for (const line of options.preset ?? []) {
      write(`> ${line}`);
      yield line;
    }
    for (let next = await inputLines.next(); !next.done; next = await inputLines.next()) yield next.value;
  }

  for await (const line of lines()) {
    lineNo += 1;
    const parsed = parseLine(line);
    if (parsed.kind === 'empty') continue;
    if (parsed.kind === 'help') {
      write(`usage: ${avatarUsage()}`);
      for (const usage of controlsHelp()) write(`       ${usage}`);
      continue;
    }
    if (parsed.kind === 'error') {
      write(`error: ${parsed.message}`);
      submitErrors += 1;
      continue;
    }
    if (parsed.kind === 'control') {
      const reply = await runControl(app.service, requester, parsed.command, parsed.args);
      write(reply.error ? `error: ${reply.text}` : reply.text);
      if (reply.error) submitErrors += 1;
      continue;
    }
    const { values } = parsed;
    try {
      if (!values.image) throw new InputError('IMAGE_MISSING', 'no image given');
      const mode = values.mode;
      const { jobId } = await app.service.submit({
        idempotencyKey: `shell:${process.pid}:${started}:${lineNo}`,
        requester,
        replyTo: { adapter: SHELL_ADAPTER, address: {} },
        image: localAttachment(values.image, 'photo'),
        ...(values.voice ? { voice: localAttachment(values.voice, 'voice note') } : {}),
        ...(values.text ? { text: values.text } : {}),
        ...(values.prompt ? { prompt: values.prompt } : {}),
        ...(mode ? { mode: mode as Mode } : {}),
        // The local operator is taken to consent for the faces they render (SHELL_ASSUME_CONSENT).
        ...(app.config.shell.assumeConsent ? { consentGiven: true } : {}),
      });
      write(`[${jobId}] queued`);
    } catch (error) {
      submitErrors += 1;
      write(`error: ${error instanceof AvatarError ? describeError(undefined, error) : String(error)}`);
    }
  }
  // Nobody can answer a confirmation any more: waiting jobs end now, at no cost, instead of hanging.
  waiting.inputEnded();
  await app.service.idle();
  return adapter.failures + submitErrors + waiting.unattended > 0 ? 1 : 0;
}
