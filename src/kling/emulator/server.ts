// The Kling emulator: a local HTTP server speaking CometAPI's Kling wire format (avatar tasks, TTS,
// callbacks, fault injection), so the bot and integration tests run fully offline.
import { mkdir } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { silentLogger } from '../../logger.js';
import { handleFaults, handleStats, snapshotStats } from './admin-routes.js';
import { type ApiContext, handleCreate, handleQuery, handleTtsCreate, handleTtsQuery } from './api-routes.js';
import { CallbackSender } from './callbacks.js';
import { Faults } from './faults.js';
import { FileStore } from './files.js';
import { sendCometError, sendKlingError } from './http.js';
import { ProcessRunner } from './proc.js';
import { createRng } from './random.js';
import { Renderer } from './render.js';
import { Scheduler } from './scheduler.js';
import { TaskEngine } from './tasks.js';
import { TtsService } from './tts.js';
import type { EmulatorOptions, EmulatorStats, KlingEmulator } from './types.js';

export type {
  EmulatorOptions,
  EmulatorStats,
  EmulatorTaskSummary,
  FaultSettings,
  KlingEmulator,
} from './types.js';

const AVATAR_PATH = '/kling/v1/videos/avatar/image2video';
const TTS_PATH = '/kling/v1/audio/tts';

export async function startEmulator(options: EmulatorOptions): Promise<KlingEmulator> {
  const logger = options.logger ?? silentLogger();
  const inputDir = path.join(path.resolve(options.workDir), 'inputs');
  const filesDir = path.join(path.resolve(options.workDir), 'files');
  await Promise.all([mkdir(inputDir, { recursive: true }), mkdir(filesDir, { recursive: true })]);

  const stats: EmulatorStats = {
    creates: 0,
    rejectedCreates: 0,
    queries: 0,
    ttsCreates: 0,
    callbacksSent: 0,
    callbacksFailed: 0,
    createsByExternalId: {},
    faultsInjected: {},
  };
  let baseUrl = '';
  const scheduler = new Scheduler();
  const closing = new AbortController();
  const runner = new ProcessRunner();
  const faults = new Faults(createRng(options.seed), scheduler, stats);
  const files = new FileStore(filesDir, () => baseUrl);
  const callbacks = new CallbackSender(faults, stats, scheduler, closing.signal, logger);
  const renderer = new Renderer(
    runner,
    options.ffmpegPath,
    options.ffprobePath,
    inputDir,
    () => scheduler.isClosed,
  );
  const tasks = new TaskEngine({
    scheduler,
    renderer,
    files,
    callbacks,
    logger,
    submittedMs: options.submittedMs ?? 1000,
    processingMs: options.processingMs ?? 3000,
    renderVideos: options.renderVideos ?? true,
  });
  const tts = new TtsService({
    runner,
    ffmpegPath: options.ffmpegPath,
    ffprobePath: options.ffprobePath,
    espeakPath: options.espeakPath,
    files,
    scratchDir: inputDir,
    logger,
  });
  const ctx: ApiContext = {
    apiKey: options.apiKey,
    requirePrompt: options.requirePrompt ?? true,
    maxAudioSeconds: options.maxAudioSeconds ?? 60,
    ffprobePath: options.ffprobePath,
    inputDir,
    stats,
    faults,
    tasks,
    tts,
    runner,
    closeSignal: closing.signal,
    logger,
  };

  const server = http.createServer((req, res) => {
    route(ctx, files, req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'emulator route failed');
      if (!res.headersSent) sendKlingError(res, 500, 5000, 'Server internal error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  baseUrl = urlOf(server.address() as AddressInfo);
  logger.info({ url: baseUrl }, 'Kling emulator listening');

  let closed: Promise<void> | undefined;
  return {
    url: baseUrl,
    setFaults: (partial) => faults.set(partial),
    resetFaults: () => faults.reset(),
    stats: () => snapshotStats(stats),
    tasks: () => tasks.summaries(),
    close() {
      closed ??= (async () => {
        scheduler.close();
        closing.abort();
        runner.killAll();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await stopped;
      })();
      return closed;
    },
  };
}

async function route(ctx: ApiContext, files: FileStore, req: IncomingMessage, res: ServerResponse) {
  const { pathname } = new URL(req.url ?? '/', 'http://emulator.invalid');
  const method = req.method ?? 'GET';
  const tail = (prefix: string) =>
    pathname.startsWith(`${prefix}/`) ? pathname.slice(prefix.length + 1) : '';
  const id = (prefix: string) => {
    const raw = tail(prefix);
    if (raw === '' || raw.includes('/')) return undefined;
    try {
      return decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  };
  ctx.logger.debug({ method, path: pathname }, 'emulator request');

  if (pathname === AVATAR_PATH) return method === 'POST' ? handleCreate(ctx, req, res) : wrongMethod(res);
  const taskId = id(AVATAR_PATH);
  if (taskId !== undefined) return method === 'GET' ? handleQuery(ctx, req, res, taskId) : wrongMethod(res);
  if (pathname === TTS_PATH) return method === 'POST' ? handleTtsCreate(ctx, req, res) : wrongMethod(res);
  const ttsId = id(TTS_PATH);
  if (ttsId !== undefined) return method === 'GET' ? handleTtsQuery(ctx, req, res, ttsId) : wrongMethod(res);

  const fileName = tail('/emulator/files');
  if (fileName && (method === 'GET' || method === 'HEAD')) return files.serve(fileName, req, res);
  if (pathname === '/emulator/stats' && method === 'GET') return handleStats(res, ctx.stats, ctx.tasks);
  if (pathname === '/emulator/faults') return handleFaults(req, res, ctx.faults);
  sendCometError(res, 404, `Invalid URL (${method} ${pathname})`);
}

/** Kling maps a wrong HTTP method on a known route to 404 with code 1202. */
function wrongMethod(res: ServerResponse): void {
  sendKlingError(res, 404, 1202, 'Invalid request method');
}

function urlOf(address: AddressInfo): string {
  // A wildcard bind is reachable on loopback; URLs handed to clients must name a concrete host.
  const host =
    address.address === '0.0.0.0' || address.address === '::'
      ? '127.0.0.1'
      : address.family === 'IPv6'
        ? `[${address.address}]`
        : address.address;
  return `http://${host}:${address.port}`;
}
