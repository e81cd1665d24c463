// `/avatar-usage`: the caller's spend this month, today's count and what is left of each budget; an
// admin also sees the team's totals, by person and by channel.
import { FORGOTTEN } from '../src/controls/usage.js';
import type { BudgetUsage, UsageReport } from '../src/controls/usage-report.js';
import { t } from '../src/i18n/catalog.js';
import type { CommandDefinition } from './avatar.js';
import { type CommandHandler, formatSeconds, replying } from './reply.js';

export const avatarUsageCommand = {
  name: 'avatar-usage',
  description: 'Your video usage and remaining budget (admins: the whole team’s, by person)',
  options: [],
} as const satisfies CommandDefinition;

export const handleAvatarUsage: CommandHandler = (service, requester, _args, locale) =>
  replying(service, requester, locale, async (locale) => ({
    text: describeUsage(await service.usage(requester), locale),
    private: true,
  }));

export function describeUsage(report: UsageReport, locale: string | undefined): string {
  const { user, team } = report;
  const lines = [
    t(locale, 'usage.user', {
      month: report.month,
      jobs: user.totals.jobs,
      seconds: formatSeconds(user.totals.seconds),
      usd: user.totals.usd.toFixed(2),
      active: user.active,
      held: formatSeconds(user.heldSeconds),
    }),
    ...limitLines(user, report, locale),
  ];
  if (team) {
    lines.push(
      '',
      t(locale, 'usage.tenant', {
        month: report.month,
        jobs: team.totals.jobs,
        seconds: formatSeconds(team.totals.seconds),
        usd: team.totals.usd.toFixed(2),
        active: team.active,
        held: formatSeconds(team.heldSeconds),
      }),
      ...limitLines(team, report, locale),
    );
    if (team.byUser.length === 0) lines.push(t(locale, 'usage.none'));
    else {
      lines.push(t(locale, 'usage.byUser'));
      for (const row of team.byUser)
        lines.push(
          `• ${line(row.id === FORGOTTEN ? t(locale, 'usage.forgotten') : row.name, row.totals, locale)}`,
        );
    }
    if (team.byChannel.length > 0) {
      lines.push(t(locale, 'usage.byChannel'));
      for (const row of team.byChannel) lines.push(`• ${line(row.id, row.totals, locale)}`);
    }
  }
  return lines.join('\n');
}

function limitLines(usage: BudgetUsage, report: UsageReport, locale: string | undefined): string[] {
  const { limits } = usage;
  const lines = [
    `${t(locale, 'usage.today', { count: usage.today, limit: limitText(limits.perDay, locale) })} ${t(
      locale,
      'usage.concurrent',
      { count: usage.active, limit: limitText(limits.concurrent, locale) },
    )}`,
  ];
  if (usage.remainingSeconds !== undefined)
    lines.push(
      t(locale, 'usage.seconds', {
        used: formatSeconds(usage.usedSeconds),
        limit: limits.secondsPerMonth,
        remaining: usage.remainingSeconds,
        resetAt: report.monthResetAt,
      }),
    );
  return lines;
}

function line(
  name: string,
  totals: { jobs: number; seconds: number; usd: number },
  locale: string | undefined,
) {
  return t(locale, 'usage.line', {
    name,
    jobs: totals.jobs,
    seconds: formatSeconds(totals.seconds),
    usd: totals.usd.toFixed(2),
  });
}

function limitText(limit: number, locale: string | undefined): string {
  return limit > 0 ? String(limit) : t(locale, 'usage.unlimited');
}
