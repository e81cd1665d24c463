// The terminal's side of the team controls: /avatar-settings, /avatar-usage, /avatar-status and
// /avatar-forget through the shared handlers, and /confirm, /cancel, /consent as answers to a waiting
// job. Once input has ended nobody can answer, so waiting jobs are cancelled at no cost at once.
import { handleJobAction } from '../../commands/avatar-job-actions.js';
import { commandUsage, controlCommands } from '../../commands/controls.js';
import type { CommandReply } from '../../commands/reply.js';
import type { AvatarService } from '../../src/core/avatar-service.js';
import type { JobUpdate, Requester } from '../../src/core/types.js';
import { t } from '../../src/i18n/catalog.js';

export async function runControl(
  service: AvatarService,
  requester: Requester,
  command: string,
  args: Record<string, string>,
): Promise<CommandReply> {
  const shared = controlCommands.find((c) => c.definition.name === command);
  if (shared) return shared.handle(service, requester, args, undefined);
  if (command === 'consent') {
    const answer = (args.answer ?? 'yes').toLowerCase();
    const action = /^(y|yes|i consent|ok)$/.test(answer) ? 'consent' : 'decline';
    return handleJobAction(service, requester, { action, job: args.job }, undefined);
  }
  return handleJobAction(service, requester, { action: command, job: args.job }, undefined);
}

export function controlsHelp(): string[] {
  return [
    ...controlCommands.map((c) => commandUsage(c.definition)),
    '/confirm <job>   /cancel <job>   /consent yes|no [job]',
  ];
}

/** Watches for jobs waiting on an answer and cancels them once input has ended (piped input, Ctrl-D). */
export class WaitingJobs {
  private readonly waiting = new Set<string>();
  private ended = false;
  /** Jobs cancelled because nobody could answer; the shell exits 1 when there are any. */
  unattended = 0;

  constructor(
    private readonly service: AvatarService,
    private readonly requester: Requester,
    private readonly write: (line: string) => void,
  ) {}

  seen(update: JobUpdate): void {
    if (update.phase !== 'awaiting_confirmation') {
      this.waiting.delete(update.jobId);
      return;
    }
    const asksConsent = update.actions?.includes('consent') ?? false;
    this.write(
      `[${update.jobId}] ${t(undefined, asksConsent ? 'shell.awaiting' : 'shell.awaitingPrice', { jobId: update.jobId })}`,
    );
    this.waiting.add(update.jobId);
    if (this.ended) void this.cancel(update.jobId);
  }

  inputEnded(): void {
    this.ended = true;
    for (const jobId of this.waiting) void this.cancel(jobId);
  }

  private async cancel(jobId: string): Promise<void> {
    this.waiting.delete(jobId);
    try {
      await this.service.cancel(jobId, this.requester, { code: 'CONFIRM_UNATTENDED', params: { jobId } });
      this.unattended += 1;
    } catch {
      // Answered or ended a moment ago: nothing left to cancel.
    }
  }
}
