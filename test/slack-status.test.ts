// The status board: job updates become throttled edits of the job's status message, with the right
// buttons for the outcome; a re-run found without a known reply gets exactly one reply in the thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toReplyTarget } from '../adapters/slack/address.js';
import { SlackClients } from '../adapters/slack/clients.js';
import { MemoryKeyValueStore } from '../adapters/slack/kv.js';
import { StatusBoard } from '../adapters/slack/status-board.js';
import type { JobPhase, JobUpdate } from '../src/core/types.js';
import { silentLogger } from '../src/logger.js';
import { FakeSlack } from './fakes/fake-slack.js';

let slack: FakeSlack;
beforeAll(async () => {
  slack = await new FakeSlack().start();
});
afterAll(async () => {
  await slack.close();
});

function board() {
  const clients = new SlackClients(async () => slack.botToken, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
  });
  return new StatusBoard({ clients, kv: new MemoryKeyValueStore(), logger: silentLogger(), intervalMs: 50 });
}

async function parentMessage(): Promise<string> {
  const clients = new SlackClients(async () => slack.botToken, { slackApiUrl: slack.apiUrl });
  const posted = await (await clients.client({})).chat.postMessage({
    channel: 'C0STATUS',
    text: 'Starting…',
  });
  return String(posted.ts);
}

function update(
  jobId: string,
  ownerJob: string,
  ts: string,
  phase: JobPhase,
  text: string,
  error?: JobUpdate['error'],
): JobUpdate {
  return {
    jobId,
    phase,
    text,
    replyTo: toReplyTarget({ channel: 'C0STATUS', ts, job: ownerJob, user: 'U0ADA' }),
    requester: { id: 'U0ADA', displayName: 'ada' },
    locale: 'en',
    mode: 'std',
    ...(error ? { error } : {}),
  };
}

const edits = (ts: string) => slack.callsOf('chat.update').filter((c) => c.args.ts === ts);
const actionIds = (blocks: unknown) =>
  [...JSON.stringify(blocks ?? '').matchAll(/"action_id":"(\w+)"/g)].map((m) => m[1]);

describe('StatusBoard', () => {
  it('edits the job’s own status message, escaping core text, with Again buttons when done', async () => {
    const ts = await parentMessage();
    const b = board();
    await b.show(
      update('av-aaaaaaaaaaaaaaaaaaaa', 'av-aaaaaaaaaaaaaaaaaaaa', ts, 'processing', 'Rendering… <1 min>'),
    );
    await b.show(
      update('av-aaaaaaaaaaaaaaaaaaaa', 'av-aaaaaaaaaaaaaaaaaaaa', ts, 'delivered', 'Done: ready.'),
    );
    await expect.poll(() => edits(ts).length).toBe(2);
    expect(edits(ts)[0]?.args.text).toBe('Rendering… &lt;1 min&gt;');
    expect(JSON.stringify(edits(ts)[0]?.args.blocks)).toContain(
      'Requested by <@U0ADA> · std · job av-aaaaaaaaaaaaaaaaaaaa',
    );
    expect(actionIds(edits(ts)[1]?.args.blocks)).toEqual(['avatar_again_pro', 'avatar_again_std']);
  });

  it('offers Retry for a provider failure but not for a bad photo', async () => {
    const ts1 = await parentMessage();
    const ts2 = await parentMessage();
    const b = board();
    const job1 = 'av-bbbbbbbbbbbbbbbbbbbb';
    const job2 = 'av-cccccccccccccccccccc';
    await b.show(
      update(job1, job1, ts1, 'failed', 'Failed: busy.', {
        code: 'KLING_UNAVAILABLE',
        message: 'x',
        charged: false,
      }),
    );
    await b.show(
      update(job2, job2, ts2, 'failed', 'Failed: small.', {
        code: 'IMAGE_TOO_SMALL',
        message: 'x',
        charged: false,
      }),
    );
    await expect.poll(() => edits(ts1).length + edits(ts2).length).toBe(2);
    expect(actionIds(edits(ts1)[0]?.args.blocks)).toEqual(['avatar_retry']);
    expect(actionIds(edits(ts2)[0]?.args.blocks)).toEqual([]);
  });

  it('posts one thread reply for a re-run it has not seen, then keeps editing that reply', async () => {
    const ts = await parentMessage();
    const b = board();
    const source = 'av-dddddddddddddddddddd';
    const rerun = 'av-eeeeeeeeeeeeeeeeeeee';
    await Promise.all([
      b.show(update(rerun, source, ts, 'preparing', 'Checking…')),
      b.show(update(rerun, source, ts, 'prepared', 'Accepted.')),
    ]);
    const replies = slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === ts);
    expect(replies).toHaveLength(1);
    const replyTs = String([...slack.messages.values()].find((m) => m.thread_ts === ts)?.ts);
    await b.show(update(rerun, source, ts, 'delivered', 'Done.'));
    await expect.poll(() => edits(replyTs).at(-1)?.args.text).toBe('Done.');
    expect(edits(ts)).toEqual([]);
  });
});
