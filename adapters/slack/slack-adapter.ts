// The core's view of Slack: progress goes to the job's status message, the video to its thread, and
// inputs lost in a restart are fetched again from Slack when their record allows it.
import type {
  AttachmentRef,
  ChatAdapter,
  DeliveryReceipt,
  JobUpdate,
  VideoResult,
} from '../../src/core/types.js';
import { SLACK_ADAPTER } from './address.js';
import { type DeliveryDeps, deliverToSlack } from './deliver.js';
import type { FileAccess } from './file-access.js';
import type { StatusBoard } from './status-board.js';

export class SlackAdapter implements ChatAdapter {
  readonly name = SLACK_ADAPTER;

  constructor(
    private readonly board: StatusBoard,
    private readonly delivery: DeliveryDeps,
    private readonly files: FileAccess,
  ) {}

  update(update: JobUpdate): Promise<void> {
    return this.board.show(update);
  }

  deliver(video: VideoResult, update: JobUpdate): Promise<DeliveryReceipt> {
    return deliverToSlack(this.delivery, video, update);
  }

  reviveAttachment(
    input: Pick<AttachmentRef, 'name' | 'source' | 'contentType' | 'size'>,
  ): AttachmentRef | undefined {
    return this.files.revive(input);
  }

  /** Sends pending status edits (shutdown). */
  flush(): Promise<void> {
    return this.board.drain();
  }
}
