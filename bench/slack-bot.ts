// The bot side of bench/slack.bench.ts, in its own process as it would be in production (Slack is
// elsewhere): the real core app plus the Slack adapter, pointed at the bench's fake Slack. Prints
// its URL as one JSON line and exits when its stdin closes.
import { buildSlackAdapter } from '../adapters/slack/index.js';
import { SIGNING_SECRET } from '../test/fakes/fake-slack-requests.js';
import { startTestApp } from '../test/helpers/test-app.js';

const [apiUrl, token] = process.argv.slice(2);
if (!apiUrl || !token) throw new Error('usage: slack-bot.ts <slack api url> <bot token>');

const test = await startTestApp({
  env: { SLACK_BOT_TOKEN: token, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: apiUrl },
});
const slack = test.app.config.slack;
if (!slack) throw new Error('no Slack config');
const built = await buildSlackAdapter(test.app, slack, { clientOptions: { retryConfig: { retries: 0 } } });
await built.start();
process.stdout.write(`${JSON.stringify({ url: test.app.url })}\n`);

process.stdin.resume();
process.stdin.on('end', () => {
  void (async () => {
    await built.stop();
    await test.close();
    process.exit(0);
  })();
});
