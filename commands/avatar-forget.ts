// `/avatar-forget`: deletes everything the bot stores about the caller. The first call says what
// will go; the same command with confirm=yes (or the adapter's button) does it.
import { t } from '../src/i18n/catalog.js';
import type { CommandDefinition } from './avatar.js';
import { type CommandHandler, replying } from './reply.js';

export const avatarForgetCommand = {
  name: 'avatar-forget',
  description: 'Delete everything the bot stores about you (jobs, files, consent, usage details)',
  options: [
    { name: 'confirm', type: 'choice', required: false, choices: ['yes'], description: 'yes to delete now' },
  ],
} as const satisfies CommandDefinition;

export const handleAvatarForget: CommandHandler = (service, requester, args, locale) =>
  replying(service, requester, locale, async (locale) => {
    if (args.confirm?.trim().toLowerCase() !== 'yes') {
      const { jobs } = await service.forgetPreview(requester.id);
      return { text: t(locale, 'forget.ask', { jobs }), private: true, actions: [{ action: 'forget' }] };
    }
    const done = await service.forgetUser(requester.id);
    return { text: t(locale, 'forget.done', { jobs: done.jobs, files: done.files }), private: true };
  });
