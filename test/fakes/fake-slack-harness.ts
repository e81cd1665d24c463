// Starts the whole bot for Slack tests: the fake Slack, the real core app (built-in Kling emulator,
// fast timings) with SLACK_* pointing at the fake, and the Slack adapter on the app's HTTP server.
import type { BuiltSlackAdapter, SlackAdapterOptions } from '../../adapters/slack/index.js';
import { buildSlackAdapter } from '../../adapters/slack/index.js';
import type { App } from '../../src/app.js';
import type { Logger } from '../../src/logger.js';
import { freePort } from '../helpers/free-port.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { FakeSlack } from './fake-slack.js';
import { SIGNING_SECRET } from './fake-slack-requests.js';

export interface SlackHarness {
  slack: FakeSlack;
  test: TestApp;
  app: App;
  built: BuiltSlackAdapter;
  url: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  adapter?: SlackAdapterOptions;
  /** Set PUBLIC_URL to the app's own loopback address (media links, link fallback). */
  publicUrl?: boolean;
  /** Start the receiver (HTTP mode); off for Socket Mode wiring tests. */
  start?: boolean;
  logger?: Logger;
}

export async function startSlackHarness(options: HarnessOptions = {}): Promise<SlackHarness> {
  const slack = await new FakeSlack().start();
  const port = options.publicUrl ? await freePort() : 0;
  const test = await startTestApp({
    env: {
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      ...(options.publicUrl ? { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } : {}),
      ...options.env,
    },
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const slackConfig = test.app.config.slack;
  if (!slackConfig) throw new Error('SLACK_* env did not produce a Slack config');
  const built = await buildSlackAdapter(test.app, slackConfig, {
    statusIntervalMs: 100,
    clientOptions: { retryConfig: { retries: 0 } },
    ...options.adapter,
  });
  if (options.start !== false) await built.start();
  return {
    slack,
    test,
    app: test.app,
    built,
    url: test.app.url,
    async close() {
      await built.stop().catch(() => undefined);
      await test.close();
      await slack.close();
    },
  };
}
