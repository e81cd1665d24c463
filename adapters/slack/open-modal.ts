// Entry points that open the `/avatar` modal: the slash command, the global shortcut (modal with a
// channel picker) and the message shortcut (files taken from the message). Each acks first, then
// calls views.open at once: the trigger_id is single-use and dies 3 seconds after the click.
import type { App as BoltApp, webApi } from '@slack/bolt';
import { t } from '../../src/i18n/catalog.js';
import { slackErrorCode } from './clients.js';
import { type ListenerDeps, SLACK_LOCALE } from './deps.js';
import { pickMessageFiles } from './file-kinds.js';
import { CALLBACK, type ModalMetadata, SLASH_COMMAND } from './ids.js';
import { avatarModal } from './modal.js';

export function registerModalOpeners(bolt: BoltApp, deps: ListenerDeps): void {
  bolt.command(SLASH_COMMAND, async ({ ack, command, client }) => {
    if (/^\s*help\s*$/i.test(command.text)) {
      await ack(t(SLACK_LOCALE, 'slack.help'));
      return;
    }
    await ack();
    await openModal(deps, client, command.trigger_id, { channel: command.channel_id }, false);
  });

  bolt.shortcut(CALLBACK.globalShortcut, async ({ ack, shortcut, client }) => {
    await ack();
    await openModal(deps, client, shortcut.trigger_id, {}, true);
  });

  bolt.shortcut(CALLBACK.messageShortcut, async ({ ack, shortcut, client }) => {
    await ack();
    if (shortcut.type !== 'message_action') return;
    const files = pickMessageFiles(shortcut.message.files);
    await openModal(deps, client, shortcut.trigger_id, { channel: shortcut.channel.id, ...files }, false);
  });
}

async function openModal(
  deps: ListenerDeps,
  client: webApi.WebClient,
  triggerId: string,
  metadata: ModalMetadata,
  channelPicker: boolean,
): Promise<void> {
  // A retried delivery carries the same trigger_id, which Slack would refuse anyway (exchanged_trigger_id).
  if (!deps.recent.claim(`trigger:${triggerId}`)) return;
  const view = avatarModal({ locale: SLACK_LOCALE, config: deps.app.config, metadata, channelPicker });
  try {
    await client.views.open({ trigger_id: triggerId, view });
  } catch (error) {
    deps.logger.warn({ code: slackErrorCode(error), err: error }, 'slack modal could not be opened');
  }
}
