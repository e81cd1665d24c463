// `/avatar-status <job>`: where a job stands (state, place among the team's unfinished jobs, elapsed
// time, cost) with the answers still open: cancel before submission, confirm or consent when asked.
import type { JobStatus } from '../src/controls/job-actions.js';
import { t } from '../src/i18n/catalog.js';
import { formatDuration } from '../src/jobs/notifier.js';
import type { CommandDefinition } from './avatar.js';
import { type CommandHandler, formatSeconds, type ReplyAction, replying } from './reply.js';

export const avatarStatusCommand = {
  name: 'avatar-status',
  description: 'Where one of your videos stands, and cancel it if it was not submitted yet',
  options: [{ name: 'job', type: 'string', required: true, maxLength: 64, description: 'Job id, e.g. av-…' }],
} as const satisfies CommandDefinition;

export const handleAvatarStatus: CommandHandler = (service, requester, args, locale) =>
  replying(service, requester, locale, async (locale) => {
    const status = await service.status((args.job ?? '').trim(), requester);
    const actions: ReplyAction[] = status.awaiting
      ? status.awaiting.actions.map((action) => ({ action, jobId: status.jobId }))
      : status.cancellable
        ? [{ action: 'cancel', jobId: status.jobId }]
        : [];
    return { text: describeStatus(status, locale), private: true, ...(actions.length ? { actions } : {}) };
  });

export function describeStatus(status: JobStatus, locale: string | undefined): string {
  const lines = [
    t(locale, 'status.line', {
      jobId: status.jobId,
      mode: status.mode,
      state: t(locale, `state.${status.state}`),
      elapsed: formatDuration(status.elapsedMs),
    }),
  ];
  if (status.position !== undefined && status.total !== undefined)
    lines.push(t(locale, 'status.position', { position: status.position, total: status.total }));
  if (status.spend && status.spend.basis !== 'none')
    lines.push(
      t(locale, 'status.spent', {
        seconds: formatSeconds(status.spend.seconds),
        usd: status.spend.usd.toFixed(2),
      }),
    );
  else if (status.estimatedCost !== undefined)
    lines.push(t(locale, 'status.cost', { cost: status.estimatedCost.toFixed(2) }));
  if (status.cancellable && !status.awaiting) lines.push(t(locale, 'status.cancellable'));
  return lines.join('\n');
}
