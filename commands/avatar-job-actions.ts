// The answers to a job waiting for its requester (the buttons of an 'awaiting_confirmation' update,
// and `/confirm`, `/cancel`, `/consent` in the terminal): confirm the price, consent, or cancel.
import type { JobAction } from '../src/core/types.js';
import { t } from '../src/i18n/catalog.js';
import { type CommandHandler, replying } from './reply.js';

/** args: `action` (confirm | cancel | consent | decline), `job` (required except for consent). */
export const handleJobAction: CommandHandler = (service, requester, args, locale) =>
  replying(service, requester, locale, async (locale) => {
    const jobId = args.job?.trim() || undefined;
    const action = args.action as JobAction | 'decline' | undefined;
    switch (action) {
      case 'confirm':
        await service.confirm(jobId ?? '', requester);
        return { text: t(locale, 'controls.confirmed'), private: true };
      case 'cancel':
        await service.cancel(jobId ?? '', requester);
        return { text: t(locale, 'controls.cancelled', { jobId: jobId ?? '' }), private: true };
      case 'decline':
        await service.declineConsent(jobId ?? '', requester);
        return { text: t(locale, 'controls.cancelled', { jobId: jobId ?? '' }), private: true };
      case 'consent': {
        const { started } = await service.giveConsent(jobId, requester);
        const key = started.length > 0 ? 'controls.consent.recorded' : 'controls.consent.saved';
        return { text: t(locale, key), private: true };
      }
      default:
        throw new Error(`unknown job action "${String(action)}"`);
    }
  });
