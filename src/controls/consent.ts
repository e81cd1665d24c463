// Consent for faces: the first time a user submits a photo they confirm that they are the person
// shown or have that person's consent. The answer is kept per user (namespace 'consent') so later
// jobs do not ask again, and each job records how its consent was established.
import type { KeyValueNamespace } from '../jobs/job-store.js';

export interface ConsentRecord {
  at: number;
  /** The job the answer was given for, or how it was given. */
  jobId?: string;
  via: 'prompt' | 'request';
}

export class ConsentRecords {
  constructor(private readonly kv: KeyValueNamespace) {}

  get(userId: string): Promise<ConsentRecord | undefined> {
    return this.kv.get<ConsentRecord>(userId);
  }

  async record(userId: string, record: ConsentRecord): Promise<void> {
    if (await this.get(userId)) return; // the first answer is the one on record
    await this.kv.set(userId, record);
  }

  async forget(userId: string): Promise<boolean> {
    const had = (await this.get(userId)) !== undefined;
    await this.kv.delete(userId);
    return had;
  }
}
