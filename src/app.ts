// Composition root: builds the core from a Config (store, media tools, Kling client or the built-in
// emulator, job runner, HTTP server) and hands adapters one object to attach to.
import path from 'node:path';
import type { Config } from './config.js';
import { TeamControls } from './controls/controls.js';
import { AdapterMap, AvatarService } from './core/avatar-service.js';
import type { AttachmentRef } from './core/types.js';
import { registerCoreRoutes } from './http/core-routes.js';
import { HttpServer } from './http/server.js';
import { BullmqRunner } from './jobs/bullmq-runner.js';
import { InProcessRunner } from './jobs/in-process-runner.js';
import type { JobStore } from './jobs/job-store.js';
import { openJobStore } from './jobs/open-store.js';
import { PartsThrottle } from './jobs/parts-throttle.js';
import type { AvatarApi, MediaPort, RunnerContext } from './jobs/ports.js';
import type { JobScheduler } from './jobs/scheduler.js';
import { KlingClient } from './kling/client.js';
import { type KlingEmulator, startEmulator } from './kling/emulator/server.js';
import { KlingProbe } from './kling/reachability.js';
import type { Logger } from './logger.js';
import { detectPauses } from './media/detect-pauses.js';
import { joinParts } from './media/join-parts.js';
import { prepareImage } from './media/prepare-image.js';
import { prepareVoice } from './media/prepare-voice.js';
import { probeMedia } from './media/probe.js';
import { splitAudio } from './media/split-audio.js';
import { type MediaTools, resolveMediaTools } from './media/tools.js';
import { BotMetrics } from './metrics/bot-metrics.js';
import { meterApi, meterStore } from './metrics/metered-ports.js';
import { Semaphore } from './util/semaphore.js';

export interface App {
  config: Config;
  logger: Logger;
  service: AvatarService;
  server: HttpServer;
  store: JobStore;
  /** Where the HTTP server listens (useful when PORT=0). */
  url: string;
  emulator: KlingEmulator | undefined;
  close(): Promise<void>;
}

export interface AppOverrides {
  /** Replaces the Kling client (tests wrap the real one to count calls at the network edge). */
  api?: (real: AvatarApi) => AvatarApi;
}

export async function createApp(config: Config, logger: Logger, overrides: AppOverrides = {}): Promise<App> {
  const tools = await resolveMediaTools(config.media);
  logger.info({ ffmpeg: tools.ffmpeg, source: tools.source }, 'media tools found');
  const metrics = new BotMetrics(logger);
  const store = meterStore(await openJobStore(config.store.url, logger), metrics);
  const server = new HttpServer(logger);
  const { url } = await server.listen(config.http.host, config.http.port);

  let emulator: KlingEmulator | undefined;
  let kling = { baseUrl: config.kling.baseUrl, apiKey: config.kling.apiKey ?? '' };
  if (!config.kling.apiKey) {
    emulator = await startEmulator({
      workDir: path.join(config.paths.dataDir, 'emulator'),
      ffmpegPath: tools.ffmpeg,
      ffprobePath: tools.ffprobe,
      submittedMs: config.emulator.submittedMs,
      processingMs: config.emulator.processingMs,
      maxAudioSeconds: config.audio.maxSeconds,
      logger: logger.child({ component: 'emulator' }),
    });
    kling = { baseUrl: emulator.url, apiKey: 'emulator-key' };
    logger.warn(
      { emulator: emulator.url },
      'COMETAPI_KEY is not set: using the built-in Kling emulator, no real videos',
    );
  }
  const partsThrottle = new PartsThrottle(config.split.concurrency, logger);
  const client = new KlingClient({
    ...kling,
    timeoutMs: config.kling.requestTimeoutMs,
    maxRetries: config.kling.maxRetries,
    logger: logger.child({ component: 'kling' }),
    onAttemptFailed: (error) => partsThrottle.observe(error),
  });
  const api: AvatarApi = meterApi(overrides.api ? overrides.api(client) : client, metrics);

  const pendingInputs = new Map<string, { image: AttachmentRef; voice?: AttachmentRef }>();
  const adapters = new AdapterMap();
  const controls = new TeamControls({ store, config, logger });
  const ctx: RunnerContext = {
    config,
    store,
    api,
    media: mediaPort(config, tools),
    adapters,
    logger,
    mediaLimit: new Semaphore(config.media.concurrency),
    submitLimit: new Semaphore(config.kling.submitConcurrency),
    partsThrottle,
    pendingInputs,
    // Without a public URL the emulator can still call us back on loopback, which keeps demos snappy.
    callbackBaseUrl: config.http.publicUrl ?? (emulator ? url : undefined),
    jobDir: (jobId) => path.join(config.paths.dataDir, 'jobs', jobId),
    controls,
  };
  const runner = await openScheduler(config, ctx);
  logger.info({ engine: config.queue.engine }, 'scheduler ready');
  const service = new AvatarService({ config, store, runner, adapters, pendingInputs, logger, controls });
  service.retention.start();
  const klingProbe = new KlingProbe({ baseUrl: kling.baseUrl, logger });
  const klingTarget = emulator ? 'emulator' : 'cometapi';
  registerCoreRoutes(server, { service, store, logger, klingTarget, klingProbe, metrics });
  logger.info({ url }, 'http server listening');

  return {
    config,
    logger,
    service,
    server,
    store,
    url,
    emulator,
    async close() {
      await server.close();
      service.retention.stop();
      await runner.stop();
      await emulator?.close();
      await store.close();
    },
  };
}

function openScheduler(config: Config, ctx: RunnerContext): Promise<JobScheduler> | JobScheduler {
  if (config.queue.engine === 'embedded') return new InProcessRunner(ctx);
  const { engine: _engine, ...queue } = config.queue;
  return BullmqRunner.open(ctx, { url: config.store.url, ...queue });
}

function mediaPort(config: Config, tools: MediaTools): MediaPort {
  return {
    prepareImage: (input) => prepareImage(input, config.image),
    // Notes up to AUDIO_MAX_TOTAL_SECONDS are accepted; longer than AUDIO_MAX_SECONDS are split later.
    prepareVoice: (input, workDir) =>
      prepareVoice(input, tools, { ...config.audio, maxTotalSeconds: config.split.maxTotalSeconds }, workDir),
    videoDuration: async (file) => (await probeMedia(tools, file)).durationSeconds,
    detectPauses: (file, totalSeconds) => detectPauses(tools, file, { totalSeconds }),
    splitAudio: (file, parts, outDir) => splitAudio(tools, file, parts, outDir, config.audio.maxBytes),
    joinParts: (input) => joinParts(tools, input),
  };
}
