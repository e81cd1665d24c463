// Remembers what a "Make talking avatar" command found on its target message until the modal comes
// back: in this process's memory, mirrored to the core's key/value store so that behind a load balancer
// another instance can pick up the submission. The target message cannot be re-read later (that would
// need the privileged Message Content intent), and a modal's custom_id has no room for a signed URL.
import type { KeyValueNamespace } from '../../src/jobs/job-store.js';
import type { Logger } from '../../src/logger.js';
import type { PendingForm } from './parse.js';
import { TtlMap } from './ttl-map.js';

/** Users rarely leave a modal open longer; after this they are asked to run the command again. */
export const FORM_TTL_MS = 15 * 60_000;
/** The shared store is only a fallback; the modal's 3-second answer must not hang on it. */
const SHARED_READ_TIMEOUT_MS = 1_000;

export class FormStore {
  private readonly memory = new TtlMap<PendingForm>(FORM_TTL_MS, 5_000);

  constructor(
    private readonly shared: KeyValueNamespace | undefined,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  put(key: string, form: PendingForm): void {
    this.memory.set(key, form);
    this.shared?.set(key, form, FORM_TTL_MS).catch((error: unknown) => {
      this.logger.warn({ formKey: key, err: error }, 'discord form not saved to the shared store');
    });
  }

  async get(key: string): Promise<PendingForm | undefined> {
    const local = this.memory.get(key);
    if (local || !this.shared) return local;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), SHARED_READ_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.shared.get<PendingForm>(key), late]);
    } catch (error) {
      this.logger.warn({ formKey: key, err: error }, 'discord form lookup failed');
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
