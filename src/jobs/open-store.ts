// Opens the keyv namespaces behind the job store from STORE_URL: `sqlite://<file>` (embedded default)
// or `redis://…`. Redis is set to fail fast when unreachable instead of hanging forever (keyv's default):
// start-up gives up after a bounded wait, and during an outage every call fails at once (no offline
// queue) while the client reconnects in the background, so requests get a clear STORE_UNAVAILABLE and
// the bot carries on by itself once Redis is back.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import KeyvRedis, { createClient } from '@keyv/redis';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import { StoreUnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { KeyvJobStore, type StoreNamespaces } from './job-store.js';
import { RedisKeyedLock } from './redis-lock.js';

const NAMESPACES = ['jobs', 'active', 'callbacks', 'media'] as const;
const REDIS_TIMEOUT_MS = 2_000;
/** Bounds one Redis call on a connection that went silent without a reset (see StoreNamespaces). */
const REDIS_CALL_TIMEOUT_MS = 5_000;

export async function openJobStore(url: string, logger?: Logger): Promise<KeyvJobStore> {
  if (url.startsWith('sqlite://')) return new KeyvJobStore(await openSqlite(url.slice('sqlite://'.length)));
  if (url.startsWith('redis://') || url.startsWith('rediss://'))
    return new KeyvJobStore(await openRedis(url, logger));
  throw new Error('STORE_URL must start with sqlite://, redis:// or rediss://');
}

async function openSqlite(file: string): Promise<StoreNamespaces> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const connect = () => new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: 10_000 });
  const first = connect();
  await useWriteAheadLog(first);
  const stores = [first, ...NAMESPACES.slice(1).map(connect)];
  const [jobs, active, callbacks, media] = NAMESPACES.map(
    (namespace, i) => new Keyv({ store: stores[i], namespace, throwOnErrors: true }),
  );
  const extra = new Map<string, Keyv>();
  return {
    jobs: jobs as Keyv,
    active: active as Keyv,
    callbacks: callbacks as Keyv,
    media: media as Keyv,
    open: (namespace) =>
      opened(extra, namespace, () => {
        const store = connect();
        stores.push(store);
        return new Keyv({ store, namespace, throwOnErrors: true });
      }),
    async disconnect() {
      await Promise.all(stores.map((s) => s.disconnect()));
    },
  };
}

async function openRedis(url: string, logger: Logger | undefined): Promise<StoreNamespaces> {
  let ready = false;
  const startBy = Date.now() + REDIS_TIMEOUT_MS;
  const client = createClient({
    url,
    // Commands while disconnected fail at once instead of queueing until Redis returns (a hang).
    disableOfflineQueue: true,
    socket: {
      connectTimeout: REDIS_TIMEOUT_MS,
      // Once connected, reconnect forever in the background; at start-up give up after the window.
      reconnectStrategy: (retries, cause) =>
        !ready && Date.now() >= startBy ? cause : Math.min(retries * 200, 2_000),
    },
  });
  // A client without an error listener crashes the process on its first connection error; one line
  // per outage (not per reconnect attempt) is what an operator needs.
  let lost = false;
  client.on('error', (err: Error) => {
    if (lost || !ready) return;
    lost = true;
    logger?.warn({ err }, 'job store redis connection lost; requests fail with STORE_UNAVAILABLE');
  });
  client.on('ready', () => {
    if (lost) logger?.info('job store redis connection restored');
    ready = true;
    lost = false;
  });
  try {
    await client.connect();
  } catch (error) {
    if (client.isOpen) client.destroy();
    throw new StoreUnavailableError(`connect to ${redactUrl(url)}`, error);
  }
  const keyvFor = (namespace: string) => {
    const store = new KeyvRedis(client, {
      throwOnConnectError: true,
      throwOnErrors: true,
      connectionTimeout: REDIS_TIMEOUT_MS,
    });
    return new Keyv({ store, namespace, throwOnErrors: true });
  };
  const [jobs, active, callbacks, media] = NAMESPACES.map(keyvFor);
  const extra = new Map<string, Keyv>();
  // Several instances may share this Redis: job updates and budget checks lock across all of them.
  const locks = await RedisKeyedLock.open(url, 'avatar-bot:lock', (key, err) =>
    logger?.warn({ key, err }, 'store lock lost while held'),
  );
  return {
    jobs: jobs as Keyv,
    active: active as Keyv,
    callbacks: callbacks as Keyv,
    media: media as Keyv,
    open: (namespace) => opened(extra, namespace, () => keyvFor(namespace)),
    callTimeoutMs: REDIS_CALL_TIMEOUT_MS,
    lock: locks,
    async disconnect() {
      await locks.close();
      if (!client.isOpen) return;
      // Mid-outage a graceful close cannot reach Redis; drop the socket and the reconnect loop.
      if (client.isReady) await client.close().catch(() => client.destroy());
      else client.destroy();
    },
  };
}

/** The URL without a password, for messages and logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured STORE_URL';
  }
}

/**
 * Write-ahead logging: half the time per write of the default rollback journal (0.5 vs 1.0 ms
 * measured), readers never wait for a writer, and commits stay fully synced. It is a property of the
 * file, set once before the other connections open. Switching needs a moment with no other reader
 * (another process may still have the file open), so it is retried briefly; if it cannot be had the
 * store simply stays in rollback mode, which is slower but just as safe.
 */
async function useWriteAheadLog(store: KeyvSqlite): Promise<void> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    try {
      await store.query('PRAGMA journal_mode=WAL');
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** One Keyv per extra namespace, opened on first use and shared afterwards. */
function opened(cache: Map<string, Keyv>, namespace: string, create: () => Keyv): Keyv {
  let keyv = cache.get(namespace);
  if (!keyv) {
    keyv = create();
    cache.set(namespace, keyv);
  }
  return keyv;
}
