// Plain data shared by the team controls: what a tenant can set, what a job carries, and the usage
// records. Everything here is stored as JSON in the job store, so only plain data lives here.
import type { JobAction, Mode, ResultVisibility } from '../core/types.js';

/** The three budgets, each per user and per tenant. 0 means "no limit". */
export interface Limits {
  /** Unfinished jobs at once (from acceptance until delivered, failed or cancelled). */
  concurrent: number;
  /** Jobs accepted per UTC day; jobs that end before submission give their slot back. */
  perDay: number;
  /** Output seconds per UTC month, reserved before submission and settled to the result's length. */
  secondsPerMonth: number;
}

export type LimitName = keyof Limits;
export type LimitScope = 'user' | 'tenant';

/** A tenant's effective settings: configuration defaults with the admins' changes on top. */
export interface TenantSettings {
  defaultMode: Mode;
  prices: Record<Mode, number>;
  confirmThresholdUsd: number;
  confirmPro: boolean;
  user: Limits;
  tenant: Limits;
  /** Per-user limit overrides by user id. */
  users: Record<string, Partial<Limits>>;
  /** Empty lists mean "no restriction". */
  allowedChannels: string[];
  allowedRoles: string[];
  proRoles: string[];
  adminRoles: string[];
  banned: string[];
  visibility: ResultVisibility;
  /** Reply language when the platform gives none for the user ('' = the bot's default, English). */
  locale: string;
}

/** Why a job waits for its requester before anything is spent. */
export type ConfirmReason = 'price' | 'consent';

export interface JobControls {
  tenantId: string;
  channelId?: string;
  /** UTC month (YYYY-MM) the job counts in, from its acceptance. */
  month: string;
  visibility: ResultVisibility;
  /** USD per output second the estimate used (the tenant's price for the job's mode). */
  pricePerSecond?: number;
  /** How consent for the face was established, recorded with the job. */
  consent?: { at: number; via: 'request' | 'record' | 'prompt' | 'not-required' };
  /** Set while the job waits in 'awaiting_confirmation'; survives restarts. */
  awaiting?: { reasons: ConfirmReason[]; actions: JobAction[]; expiresAt: number };
  confirmed?: { at: number; by: string };
  endedAt?: number;
  /** What the job counted against the budgets once it ended. */
  spend?: { seconds: number; usd: number; basis: 'result' | 'estimate' | 'none'; at: number };
  retention?: { inputsDeletedAt?: number; resultDeletedAt?: number };
}

/** Settled spend. */
export interface Totals {
  jobs: number;
  seconds: number;
  usd: number;
}

/** A budget hold for one unfinished job, in its tenant's reservation document. */
export interface Reservation {
  userId: string;
  channelId?: string;
  mode: Mode;
  /** Output seconds held: the minimum at acceptance, the measured need once prepared. */
  seconds: number;
  createdAt: number;
  day: string;
  month: string;
}

/** One tenant's month: settled spend by user, channel and day, and jobs accepted per day. */
export interface MonthUsage {
  total: Totals;
  byUser: Record<string, Totals>;
  byChannel: Record<string, Totals>;
  /** Display names for admin views; removed with the user on forget. */
  names: Record<string, string>;
  days: Record<string, { accepted: number; byUser: Record<string, number>; spend: Totals }>;
}
