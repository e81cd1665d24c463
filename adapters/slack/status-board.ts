// Keeps each job's status message current: posts it, then edits it through the throttle as the core
// reports progress. A re-run shares its source job's thread, so its status is a reply in that thread,
// found again through the key/value store (or posted on first sight after a restart).
import type { JobUpdate } from '../../src/core/types.js';
import type { Logger } from '../../src/logger.js';
import { KeyedMutex } from '../../src/util/keyed-mutex.js';
import { fromReplyTarget, type SlackAddress, type WorkspaceRef } from './address.js';
import { type SlackClients, slackErrorCode } from './clients.js';
import type { KeyValueStore } from './kv.js';
import { escapeMrkdwn, type StatusMessage, statusMessage } from './status-blocks.js';
import { Throttle } from './throttle.js';

/** chat.update is Tier 3 (about 50 a minute per workspace), shared by every running job. */
export const STATUS_UPDATE_INTERVAL_MS = 3_000;
const STATUS_KEY_TTL_MS = 30 * 24 * 3_600_000;
/** After these the message must not change again, whatever late update arrives. */
const FINAL_PHASES: ReadonlySet<string> = new Set(['delivered', 'failed', 'cancelled']);

interface Edit extends StatusMessage {
  workspace: WorkspaceRef;
  channel: string;
  ts: string;
  jobId: string;
}

export interface StatusBoardDeps {
  clients: SlackClients;
  kv: KeyValueStore;
  logger: Logger;
  intervalMs?: number;
}

export class StatusBoard {
  private readonly throttle: Throttle<Edit>;
  private readonly replies = new KeyedMutex();

  constructor(private readonly deps: StatusBoardDeps) {
    this.throttle = new Throttle<Edit>((_key, edit) => this.edit(edit), {
      intervalMs: deps.intervalMs ?? STATUS_UPDATE_INTERVAL_MS,
      onError: (key, error) =>
        deps.logger.warn(
          { message: key, code: slackErrorCode(error), err: error },
          'slack status update failed',
        ),
    });
  }

  /** Remembers that `jobId`'s status is the message `ts` (a reply posted by a button handler). */
  async remember(jobId: string, ts: string): Promise<void> {
    await this.deps.kv.set(`status:${jobId}`, ts, STATUS_KEY_TTL_MS);
  }

  /** Posts a re-run's first status reply through `post` and remembers it, serialised with show(). */
  startReply(jobId: string, post: () => Promise<string>): Promise<string> {
    return this.replies.run(jobId, async () => {
      const ts = await post();
      await this.remember(jobId, ts);
      return ts;
    });
  }

  /** Queues the update; resolves before Slack is called so a slow edit never holds up the job. */
  async show(update: JobUpdate): Promise<void> {
    const address = fromReplyTarget(update.replyTo);
    const ts = address.job === update.jobId ? address.ts : await this.replyFor(update, address);
    const message = statusMessage({
      text: escapeMrkdwn(update.text),
      locale: update.locale,
      user: address.user,
      mode: update.mode,
      jobId: update.jobId,
      phase: update.phase,
      ...(update.error ? { errorCode: update.error.code } : {}),
      ...(update.actions ? { actions: update.actions } : {}),
      ...(update.estimatedCost !== undefined ? { estimatedCost: update.estimatedCost } : {}),
    });
    const final = FINAL_PHASES.has(update.phase);
    this.throttle.push(
      `${address.channel}:${ts}`,
      { ...message, workspace: address, channel: address.channel, ts, jobId: update.jobId },
      final,
    );
  }

  drain(): Promise<void> {
    return this.throttle.drain();
  }

  private async edit(edit: Edit): Promise<void> {
    const client = await this.deps.clients.client(edit.workspace);
    await client.chat.update({ channel: edit.channel, ts: edit.ts, text: edit.text, blocks: edit.blocks });
    this.deps.logger.debug({ jobId: edit.jobId }, 'slack status updated');
  }

  private replyFor(update: JobUpdate, address: SlackAddress): Promise<string> {
    // Serialised per job, so two quick updates cannot both post a reply.
    return this.replies.run(update.jobId, async () => {
      const known = await this.deps.kv.get<string>(`status:${update.jobId}`);
      if (known) return known;
      const client = await this.deps.clients.client(address);
      const posted = await client.chat.postMessage({
        channel: address.channel,
        thread_ts: address.ts,
        text: escapeMrkdwn(update.text),
      });
      const ts = posted.ts;
      if (!ts) throw new Error('chat.postMessage returned no ts');
      await this.remember(update.jobId, ts);
      return ts;
    });
  }
}
