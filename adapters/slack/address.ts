// Where a Slack job's replies go, as stored in the job's ReplyTarget: the workspace (for the token in
// OAuth mode), the channel, and the status message that anchors the thread the video is posted in.
import type { ReplyTarget } from '../../src/core/types.js';

export const SLACK_ADAPTER = 'slack';

export interface WorkspaceRef {
  team?: string;
  enterprise?: string;
  /** An org-wide (Enterprise Grid) install: its token is looked up by enterprise, not team. */
  orgInstall?: boolean;
}

export interface SlackAddress extends WorkspaceRef {
  channel: string;
  /** ts of the status message; the video goes in its thread (always the parent's ts). */
  ts: string;
  /** The job that status message belongs to. Re-runs inherit the address but get their own reply. */
  job: string;
  /** The requester, for mentions. */
  user: string;
}

export function toReplyTarget(address: SlackAddress): ReplyTarget {
  const out: Record<string, string | boolean> = {
    channel: address.channel,
    ts: address.ts,
    job: address.job,
    user: address.user,
  };
  if (address.team) out.team = address.team;
  if (address.enterprise) out.enterprise = address.enterprise;
  if (address.orgInstall) out.orgInstall = true;
  return { adapter: SLACK_ADAPTER, address: out };
}

export function fromReplyTarget(target: ReplyTarget): SlackAddress {
  const a = target.address;
  const str = (key: string) => (typeof a[key] === 'string' && a[key] !== '' ? (a[key] as string) : undefined);
  const channel = str('channel');
  const ts = str('ts');
  const job = str('job');
  const user = str('user');
  if (target.adapter !== SLACK_ADAPTER || !channel || !ts || !job || !user) {
    throw new Error('not a Slack reply address');
  }
  const team = str('team');
  const enterprise = str('enterprise');
  return {
    channel,
    ts,
    job,
    user,
    ...(team ? { team } : {}),
    ...(enterprise ? { enterprise } : {}),
    ...(a.orgInstall === true ? { orgInstall: true } : {}),
  };
}

/** Slack's user mention syntax, which notifies the user. */
export function mention(userId: string): string {
  return `<@${userId}>`;
}
