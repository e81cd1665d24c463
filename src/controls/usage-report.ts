// Usage as data for /avatar-usage: the caller's month, day and in-flight holds against their limits,
// and for admins the team's totals by user, channel and day. Formatting is the command's job.
import type { Requester } from '../core/types.js';
import { isAdmin } from './access.js';
import { tenantOf } from './controls.js';
import { dayResetAt, monthResetAt, userLimits } from './limits.js';
import type { SettingsStore } from './settings.js';
import type { Limits, Reservation, Totals } from './types.js';
import { dayOf, emptyTotals, held, monthOf, type UsageLedger } from './usage.js';

export interface BudgetUsage {
  totals: Totals;
  /** Unfinished jobs and the seconds they hold. */
  active: number;
  heldSeconds: number;
  /** Jobs accepted today (UTC). */
  today: number;
  limits: Limits;
  /** Settled plus held seconds this month, against `limits.secondsPerMonth`. */
  usedSeconds: number;
  /** Undefined when there is no monthly limit. */
  remainingSeconds: number | undefined;
}

export interface UsageReport {
  tenantId: string;
  month: string;
  dayResetAt: string;
  monthResetAt: string;
  user: BudgetUsage;
  /** Only for admins. */
  team?: BudgetUsage & {
    byUser: Array<{ id: string; name: string; totals: Totals }>;
    byChannel: Array<{ id: string; totals: Totals }>;
    byDay: Array<{ day: string; accepted: number; spend: Totals }>;
  };
}

export async function usageReport(
  deps: { ledger: UsageLedger; settings: SettingsStore },
  requester: Requester,
  now = Date.now(),
): Promise<UsageReport> {
  const tenantId = tenantOf(requester);
  const settings = await deps.settings.get(tenantId);
  const month = monthOf(now);
  const day = dayOf(now);
  const [usage, active] = await Promise.all([
    deps.ledger.month(tenantId, month),
    deps.ledger.active(tenantId),
  ]);
  const budget = (
    limits: Limits,
    totals: Totals,
    today: number,
    filter: (r: Reservation) => boolean,
  ): BudgetUsage => {
    const inFlight = held(active, filter);
    const usedSeconds = totals.seconds + held(active, (r) => filter(r) && r.month === month).seconds;
    const limit = limits.secondsPerMonth;
    return {
      totals,
      active: inFlight.count,
      heldSeconds: inFlight.seconds,
      today,
      limits,
      usedSeconds: Math.round(usedSeconds * 10) / 10,
      remainingSeconds: limit > 0 ? Math.max(0, Math.floor(limit - usedSeconds)) : undefined,
    };
  };
  const report: UsageReport = {
    tenantId,
    month,
    dayResetAt: dayResetAt(now),
    monthResetAt: monthResetAt(now),
    user: budget(
      userLimits(settings, requester.id),
      usage.byUser[requester.id] ?? emptyTotals(),
      usage.days[day]?.byUser[requester.id] ?? 0,
      (r) => r.userId === requester.id,
    ),
  };
  if (isAdmin(requester, settings)) {
    const byUsd = <T extends { totals: Totals }>(a: T, b: T) => b.totals.usd - a.totals.usd;
    report.team = {
      ...budget(settings.tenant, usage.total, usage.days[day]?.accepted ?? 0, () => true),
      byUser: Object.entries(usage.byUser)
        .map(([id, totals]) => ({ id, name: usage.names[id] ?? id, totals }))
        .sort(byUsd),
      byChannel: Object.entries(usage.byChannel)
        .map(([id, totals]) => ({ id, totals }))
        .sort(byUsd),
      byDay: Object.entries(usage.days)
        .map(([d, v]) => ({ day: d, accepted: v.accepted, spend: v.spend }))
        .sort((a, b) => a.day.localeCompare(b.day)),
    };
  }
  return report;
}
