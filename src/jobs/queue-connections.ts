// The two Redis connections the BullMQ scheduler needs. Commands from the request path (booking a
// job when a user submits) must fail fast when Redis is down, so that connection keeps no offline
// queue and gives up after one retry. BullMQ's workers block on Redis and must never give up, so
// theirs retries forever (BullMQ requires maxRetriesPerRequest: null there).

import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';

export interface QueueConnections {
  commands: Redis;
  worker: Redis;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 2_000;

const reconnect: RedisOptions['retryStrategy'] = (attempt) => Math.min(attempt * 200, 2_000);

export async function openQueueConnections(url: string, logger: Logger): Promise<QueueConnections> {
  const commands = new Redis(url, {
    connectTimeout: CONNECT_TIMEOUT_MS,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: reconnect,
    lazyConnect: true,
  });
  const worker = new Redis(url, {
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: null,
    retryStrategy: reconnect,
    lazyConnect: true,
  });
  // Without listeners ioredis reports every reconnect attempt as an unhandled error event.
  let warned = false;
  const onError = (err: Error) => {
    if (warned) return;
    warned = true;
    logger.warn({ err }, 'queue redis connection error');
  };
  commands.on('error', onError);
  worker.on('error', onError);
  commands.on('ready', () => {
    warned = false;
  });
  const close = async () => {
    commands.disconnect();
    worker.disconnect();
  };
  try {
    await Promise.all([commands.connect(), worker.connect()]);
  } catch (error) {
    await close();
    throw new Error(`cannot reach Redis for the job queue: ${(error as Error).message}`);
  }
  return { commands, worker, close };
}
