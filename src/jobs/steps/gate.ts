// Step 1b, between preparation and submission: the team controls decide whether a prepared job may
// be submitted now ('prepared') or must wait for its requester ('awaiting_confirmation': price above
// the threshold, pro, or no consent on record). A waiting job expires at no cost at its deadline.
import type { GateDecision } from '../../controls/controls.js';
import { InputError } from '../../errors.js';
import { describeError } from '../../i18n/catalog.js';
import type { Job } from '../job.js';
import { notify } from '../notifier.js';
import type { RunnerContext, StepOutcome } from '../ports.js';

/** Runs the controls' gate; without controls (older callers) a job is approved at config prices. */
export function decideGate(ctx: RunnerContext, job: Job, audioSeconds: number): Promise<GateDecision> {
  if (ctx.controls) return ctx.controls.gate(job, audioSeconds);
  return Promise.resolve({
    state: 'prepared',
    estimatedCost: audioSeconds * ctx.config.prices[job.mode],
    controls: job.controls,
  });
}

/** Writes the decision into the job record, inside the store update that saves the prepared inputs. */
export function applyGate(j: Job, gate: GateDecision): void {
  j.state = gate.state;
  j.estimatedCost = gate.estimatedCost;
  if (gate.controls) j.controls = gate.controls;
}

/** Tells the requester the outcome and tells the runner what to do next. */
export async function afterGate(ctx: RunnerContext, job: Job): Promise<StepOutcome> {
  await notify(ctx, job, job.state);
  if (job.state === 'prepared') return { kind: 'continue' };
  return awaitStep(ctx, job);
}

/** A job waiting for its requester: nothing to do until the answer or the deadline. */
export async function awaitStep(ctx: RunnerContext, job: Job): Promise<StepOutcome> {
  const expiresAt = job.controls?.awaiting?.expiresAt ?? 0;
  const now = Date.now();
  if (now < expiresAt) return { kind: 'wait', delayMs: expiresAt - now };
  const minutes = Math.max(1, Math.round(ctx.config.controls.confirmTtlMs / 60_000));
  const error = new InputError('CONFIRM_EXPIRED', 'not confirmed in time', { params: { minutes } });
  let answered = false;
  const expired = await ctx.store.update(job.id, (j) => {
    // Confirmed or cancelled a moment ago: leave it to whoever won.
    if (j.state !== 'awaiting_confirmation') {
      answered = true;
      return;
    }
    j.state = 'cancelled';
    j.error = { code: error.code, message: describeError(j.locale, error), charged: false };
  });
  if (answered) return { kind: 'continue' };
  ctx.logger.info({ jobId: job.id }, 'unconfirmed job expired');
  await notify(ctx, expired, 'cancelled');
  return { kind: 'stop' };
}
