// The spend ledger in the job store's 'usage' namespace: one reservation document per tenant (budget
// holds of unfinished jobs) and one document per tenant and UTC month (settled spend by user, channel
// and day). Writers hold `lock(tenant)`, so a check-and-reserve can never interleave with another.
import type { KeyValueNamespace } from '../jobs/job-store.js';
import type { MonthUsage, Reservation, Totals } from './types.js';

/** Where the usage of users who asked to be forgotten goes, so team totals stay whole. */
export const FORGOTTEN = '~forgotten';

export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
export const monthOf = (ms: number): string => new Date(ms).toISOString().slice(0, 7);

export function emptyTotals(): Totals {
  return { jobs: 0, seconds: 0, usd: 0 };
}

function addTo(target: Totals, seconds: number, usd: number, jobs = 1): void {
  target.jobs += jobs;
  target.seconds = Math.round((target.seconds + seconds) * 1000) / 1000;
  target.usd = Math.round((target.usd + usd) * 1e6) / 1e6;
}

function emptyDay(): MonthUsage['days'][string] {
  return { accepted: 0, byUser: {}, spend: emptyTotals() };
}

/** The entry under `key`, created first when missing. */
function slot<T>(record: Record<string, T>, key: string, make: () => T): T {
  let value = record[key];
  if (value === undefined) {
    value = make();
    record[key] = value;
  }
  return value;
}

function emptyMonth(): MonthUsage {
  return { total: emptyTotals(), byUser: {}, byChannel: {}, names: {}, days: {} };
}

export type Outcome = { kind: 'settle'; seconds: number; usd: number } | { kind: 'release' };

export class UsageLedger {
  constructor(
    private readonly kv: KeyValueNamespace,
    /** The store's lock: shared by every instance on one Redis, so no two can over-reserve. */
    private readonly storeLock: <T>(name: string, work: () => Promise<T>) => Promise<T>,
  ) {}

  /** Serialises every read-check-write of one tenant's documents. */
  lock<T>(tenantId: string, work: () => Promise<T>): Promise<T> {
    return this.storeLock(`usage:${tenantId}`, work);
  }

  async active(tenantId: string): Promise<Record<string, Reservation>> {
    return (await this.kv.get<Record<string, Reservation>>(`active:${tenantId}`)) ?? {};
  }

  async month(tenantId: string, month: string): Promise<MonthUsage> {
    return (await this.kv.get<MonthUsage>(`month:${tenantId}:${month}`)) ?? emptyMonth();
  }

  /** Tenants that ever reserved anything, for the sweeper. */
  async tenants(): Promise<string[]> {
    return (await this.kv.get<string[]>('tenants')) ?? [];
  }

  /** Job ids per user, so forgetting a user finds every job without scanning the store. */
  async userJobs(userId: string): Promise<string[]> {
    return (await this.kv.get<string[]>(`user:${userId}`)) ?? [];
  }

  /** Holds budget for a newly accepted job and counts it in its day. Call inside `lock`. */
  async reserve(tenantId: string, jobId: string, r: Reservation, displayName: string): Promise<void> {
    const active = await this.active(tenantId);
    active[jobId] = r;
    const month = await this.month(tenantId, r.month);
    const day = slot(month.days, r.day, emptyDay);
    day.accepted += 1;
    day.byUser[r.userId] = (day.byUser[r.userId] ?? 0) + 1;
    month.names[r.userId] = displayName;
    await this.kv.set(`month:${tenantId}:${r.month}`, month);
    await this.kv.set(`active:${tenantId}`, active);
    const tenants = await this.tenants();
    if (!tenants.includes(tenantId)) await this.kv.set('tenants', [...tenants, tenantId]);
    const jobs = await this.userJobs(r.userId);
    if (!jobs.includes(jobId)) await this.kv.set(`user:${r.userId}`, [...jobs, jobId]);
  }

  /** Changes a job's hold; false when the job holds nothing any more (it ended). Call inside `lock`. */
  async resize(tenantId: string, jobId: string, seconds: number): Promise<boolean> {
    const active = await this.active(tenantId);
    const held = active[jobId];
    if (!held) return false;
    held.seconds = seconds;
    await this.kv.set(`active:${tenantId}`, active);
    return true;
  }

  /**
   * Ends a job's hold: `settle` books what it cost, `release` gives its day slot back (nothing was
   * spent). Idempotent: a job without a hold is left alone. Call inside `lock`.
   */
  async end(tenantId: string, jobId: string, outcome: Outcome): Promise<Reservation | undefined> {
    const active = await this.active(tenantId);
    const held = active[jobId];
    if (!held) return undefined;
    const month = await this.month(tenantId, held.month);
    const day = slot(month.days, held.day, emptyDay);
    if (outcome.kind === 'settle') {
      const { seconds, usd } = outcome;
      addTo(month.total, seconds, usd);
      addTo(slot(month.byUser, held.userId, emptyTotals), seconds, usd);
      if (held.channelId) addTo(slot(month.byChannel, held.channelId, emptyTotals), seconds, usd);
      addTo(day.spend, seconds, usd);
    } else {
      day.accepted = Math.max(0, day.accepted - 1);
      const mine = (day.byUser[held.userId] ?? 1) - 1;
      if (mine > 0) day.byUser[held.userId] = mine;
      else delete day.byUser[held.userId];
    }
    await this.kv.set(`month:${tenantId}:${held.month}`, month);
    delete active[jobId];
    await this.kv.set(`active:${tenantId}`, active);
    return held;
  }

  /**
   * Removes a user from one tenant-month: their spend moves to the anonymous FORGOTTEN bucket and
   * their per-day counts into the day totals only, so team budgets stay enforced. Call inside `lock`.
   */
  async anonymise(tenantId: string, month: string, userId: string): Promise<void> {
    const doc = await this.month(tenantId, month);
    const mine = doc.byUser[userId];
    if (mine) addTo(slot(doc.byUser, FORGOTTEN, emptyTotals), mine.seconds, mine.usd, mine.jobs);
    delete doc.byUser[userId];
    delete doc.names[userId];
    for (const day of Object.values(doc.days)) {
      const count = day.byUser[userId];
      if (count) day.byUser[FORGOTTEN] = (day.byUser[FORGOTTEN] ?? 0) + count;
      delete day.byUser[userId];
    }
    await this.kv.set(`month:${tenantId}:${month}`, doc);
  }

  async dropUserIndex(userId: string): Promise<void> {
    await this.kv.delete(`user:${userId}`);
  }
}

/** Sum of the holds matching `filter` (seconds) and how many there are. */
export function held(
  active: Record<string, Reservation>,
  filter: (r: Reservation) => boolean,
): { count: number; seconds: number } {
  let count = 0;
  let seconds = 0;
  for (const r of Object.values(active)) {
    if (!filter(r)) continue;
    count += 1;
    seconds += r.seconds;
  }
  return { count, seconds: Math.round(seconds * 1000) / 1000 };
}
