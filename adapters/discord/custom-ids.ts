// The custom_id strings on our buttons and modals. The job owner's user id rides in the button id so
// a stranger's click is refused at once, without a store lookup inside the 3-second window.
import type { JobAction, Mode } from '../../src/core/types.js';

export type ButtonAction =
  | { kind: 'again'; jobId: string; mode: Mode; ownerId: string }
  | { kind: 'retry'; jobId: string; ownerId: string }
  /** Confirm, cancel or consent: an admin may answer too, so the core decides who is allowed. */
  | { kind: 'act'; action: JobAction; jobId: string };

const JOB_ID = '(av-[a-z2-7]{20})';
const USER_ID = '(\\d{15,21})';
const AGAIN = new RegExp(`^avatar:again:${JOB_ID}:(std|pro):${USER_ID}$`);
const RETRY = new RegExp(`^avatar:retry:${JOB_ID}:${USER_ID}$`);
const MODAL = /^avatar:form:(\d{15,21})$/;
const ACT = new RegExp(`^avatar:act:(confirm|cancel|consent):${JOB_ID}$`);

export function againButtonId(jobId: string, mode: Mode, ownerId: string): string {
  return `avatar:again:${jobId}:${mode}:${ownerId}`;
}

export function retryButtonId(jobId: string, ownerId: string): string {
  return `avatar:retry:${jobId}:${ownerId}`;
}

export function actionButtonId(action: JobAction, jobId: string): string {
  return `avatar:act:${action}:${jobId}`;
}

export function parseButtonId(customId: string): ButtonAction | undefined {
  const act = ACT.exec(customId);
  if (act) {
    const [, action = '', jobId = ''] = act;
    return { kind: 'act', action: action as JobAction, jobId };
  }
  const again = AGAIN.exec(customId);
  if (again) {
    const [, jobId = '', mode, ownerId = ''] = again;
    return { kind: 'again', jobId, mode: mode === 'pro' ? 'pro' : 'std', ownerId };
  }
  const retry = RETRY.exec(customId);
  if (retry) {
    const [, jobId = '', ownerId = ''] = retry;
    return { kind: 'retry', jobId, ownerId };
  }
  return undefined;
}

/** A modal is keyed by the message-command interaction that opened it (see pending-forms.ts). */
export function formModalId(interactionId: string): string {
  return `avatar:form:${interactionId}`;
}

export function parseFormModalId(customId: string): string | undefined {
  return MODAL.exec(customId)?.[1];
}
