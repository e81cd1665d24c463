// Budgets per user and per tenant (jobs at once, jobs per day, seconds per month). Checks and holds
// happen in one step under the tenant's lock, so fifty racing requests cannot all see the last free
// slot. The lock is the store's: shared by every instance on one Redis (see jobs/redis-lock.ts).
import { InputError } from '../errors.js';
import { JobEndedError } from '../jobs/job-store.js';
import type { LimitName, LimitScope, Limits, Reservation, TenantSettings } from './types.js';
import { dayOf, held, monthOf, type Outcome, type UsageLedger } from './usage.js';

const CODES: Record<LimitScope, Record<LimitName, ConstructorParameters<typeof InputError>[0]>> = {
  user: {
    concurrent: 'LIMIT_USER_CONCURRENT',
    perDay: 'LIMIT_USER_PER_DAY',
    secondsPerMonth: 'LIMIT_USER_SECONDS_PER_MONTH',
  },
  tenant: {
    concurrent: 'LIMIT_TENANT_CONCURRENT',
    perDay: 'LIMIT_TENANT_PER_DAY',
    secondsPerMonth: 'LIMIT_TENANT_SECONDS_PER_MONTH',
  },
};

/** The user's limits: the tenant's per-user defaults with that user's overrides. */
export function userLimits(settings: TenantSettings, userId: string): Limits {
  return { ...settings.user, ...(settings.users[userId] ?? {}) };
}

/** Next UTC midnight, as shown to users ("2025-06-02 00:00 UTC"). */
export function dayResetAt(now: number): string {
  const d = new Date(now);
  return `${dayOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1))} 00:00 UTC`;
}

/** First day of the next UTC month ("2025-07-01"). */
export function monthResetAt(now: number): string {
  const d = new Date(now);
  return dayOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
}

export interface Admission {
  tenantId: string;
  jobId: string;
  userId: string;
  displayName: string;
  channelId?: string;
  mode: Reservation['mode'];
  settings: TenantSettings;
  /** Seconds held until the job is measured: the shortest output any job can have. */
  minSeconds: number;
  /** True when the job already exists (a duplicate delivery): nothing is counted twice. */
  exists(jobId: string): Promise<boolean>;
  /** Records the job, inside the lock, so a duplicate racing this one finds it. */
  commit(): Promise<void>;
  now: number;
}

export class Budgets {
  constructor(
    private readonly ledger: UsageLedger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a new job against every budget or throws the InputError of the first one it would break. */
  admit(a: Admission): Promise<'reserved' | 'duplicate'> {
    return this.ledger.lock(a.tenantId, async () => {
      const active = await this.ledger.active(a.tenantId);
      if (active[a.jobId] || (await a.exists(a.jobId))) return 'duplicate';
      const now = a.now;
      const day = dayOf(now);
      const month = monthOf(now);
      const usage = await this.ledger.month(a.tenantId, month);
      const mine = (r: Reservation) => r.userId === a.userId;
      const scopes: Array<[LimitScope, Limits, (r: Reservation) => boolean, number, number]> = [
        [
          'user',
          userLimits(a.settings, a.userId),
          mine,
          usage.days[day]?.byUser[a.userId] ?? 0,
          usage.byUser[a.userId]?.seconds ?? 0,
        ],
        ['tenant', a.settings.tenant, () => true, usage.days[day]?.accepted ?? 0, usage.total.seconds],
      ];
      for (const [scope, limits, filter, today, settled] of scopes) {
        const inFlight = held(active, filter);
        if (limits.concurrent > 0 && inFlight.count >= limits.concurrent)
          throw limitError(scope, 'concurrent', { count: inFlight.count, limit: limits.concurrent });
        if (limits.perDay > 0 && today >= limits.perDay)
          throw limitError(scope, 'perDay', { count: today, limit: limits.perDay, resetAt: dayResetAt(now) });
        const monthHeld = held(active, (r) => filter(r) && r.month === month).seconds;
        checkSeconds(scope, limits, settled + monthHeld, a.minSeconds, now);
      }
      await this.ledger.reserve(
        a.tenantId,
        a.jobId,
        {
          userId: a.userId,
          ...(a.channelId ? { channelId: a.channelId } : {}),
          mode: a.mode,
          seconds: a.minSeconds,
          createdAt: now,
          day,
          month,
        },
        a.displayName,
      );
      try {
        await a.commit();
      } catch (error) {
        await this.ledger.end(a.tenantId, a.jobId, { kind: 'release' });
        throw error;
      }
      return 'reserved';
    });
  }

  /**
   * Raises (or lowers) a prepared job's hold to what it can bill, refusing with the seconds limit it
   * would break. Throws JobEndedError when the job no longer holds anything (cancelled meanwhile).
   */
  hold(tenantId: string, jobId: string, seconds: number, settings: TenantSettings): Promise<void> {
    return this.ledger.lock(tenantId, async () => {
      const active = await this.ledger.active(tenantId);
      const own = active[jobId];
      if (!own) throw new JobEndedError(jobId, 'released');
      const others = { ...active };
      delete others[jobId];
      const usage = await this.ledger.month(tenantId, own.month);
      const inMonth = (r: Reservation) => r.month === own.month;
      const userUsed =
        (usage.byUser[own.userId]?.seconds ?? 0) +
        held(others, (r) => inMonth(r) && r.userId === own.userId).seconds;
      const tenantUsed = usage.total.seconds + held(others, inMonth).seconds;
      const now = this.now();
      checkSeconds('user', userLimits(settings, own.userId), userUsed, seconds, now);
      checkSeconds('tenant', settings.tenant, tenantUsed, seconds, now);
      await this.ledger.resize(tenantId, jobId, seconds);
    });
  }

  /** Settles or releases a job's hold (idempotent). */
  end(tenantId: string, jobId: string, outcome: Outcome): Promise<Reservation | undefined> {
    return this.ledger.lock(tenantId, () => this.ledger.end(tenantId, jobId, outcome));
  }
}

function checkSeconds(scope: LimitScope, limits: Limits, used: number, needed: number, now: number): void {
  const limit = limits.secondsPerMonth;
  if (limit <= 0 || used + needed <= limit + 1e-9) return;
  throw limitError(scope, 'secondsPerMonth', {
    needed: Math.ceil(needed),
    remaining: Math.max(0, Math.floor(limit - used)),
    limit,
    resetAt: monthResetAt(now),
  });
}

function limitError(scope: LimitScope, name: LimitName, params: Record<string, string | number>): InputError {
  return new InputError(CODES[scope][name], `${scope} limit ${name} reached`, { params });
}
