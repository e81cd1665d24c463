// Runs the fake Discord API in a child process for the Discord benchmark: the real Discord is another
// machine, so its request handling must not share the bot's event loop and skew the timings.
import { FakeDiscord } from '../test/fakes/fake-discord.js';

const fake = await FakeDiscord.start();
process.send?.({ url: fake.url, apiUrl: fake.apiUrl, botToken: fake.botToken });
// Ends with its parent: on 'close', or when the IPC channel goes away for any reason.
const stop = async () => {
  await fake.close();
  process.exit(0);
};
process.on('message', (message) => {
  if (message === 'close') void stop();
});
process.on('disconnect', () => void stop());
