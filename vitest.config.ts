// Test runner settings: tests spawn ffmpeg and servers, so they get generous timeouts and run files in
// forks. Two projects: every test on the embedded job engine, and the end-to-end tests once more on
// BullMQ with a real redis-server, so both engines behind the core's one scheduler interface are held
// to the same behaviour.
import { defineConfig } from 'vitest/config';

/** Tests that drive whole jobs through the core (in-process apps or real bot processes). */
const END_TO_END = [
  'test/core-flow.test.ts',
  'test/secrets.test.ts',
  'test/controls-confirm.test.ts',
  'test/controls-limits.test.ts',
  'test/controls-commands.test.ts',
  'test/long-voice.test.ts',
  'test/discord-flow.test.ts',
  'test/discord-controls.test.ts',
  'test/slack-flow.test.ts',
  'test/slack-controls.test.ts',
  'test/callback-hints.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'embedded', include: ['test/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'bullmq', include: END_TO_END, env: { TEST_JOB_ENGINE: 'bullmq' } },
      },
    ],
  },
});
