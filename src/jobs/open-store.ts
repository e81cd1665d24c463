// Opens the keyv namespaces behind the job store from STORE_URL: `sqlite://<file>` (embedded default)
// or `redis://…`. Redis is set to fail fast when unreachable instead of hanging forever (keyv's default).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import KeyvRedis, { createClient } from '@keyv/redis';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import { KeyvJobStore, type StoreNamespaces } from './job-store.js';

const NAMESPACES = ['jobs', 'active', 'callbacks', 'media'] as const;
const REDIS_TIMEOUT_MS = 2_000;

export async function openJobStore(url: string): Promise<KeyvJobStore> {
  if (url.startsWith('sqlite://')) return new KeyvJobStore(await openSqlite(url.slice('sqlite://'.length)));
  if (url.startsWith('redis://') || url.startsWith('rediss://'))
    return new KeyvJobStore(await openRedis(url));
  throw new Error('STORE_URL must start with sqlite://, redis:// or rediss://');
}

async function openSqlite(file: string): Promise<StoreNamespaces> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const stores = NAMESPACES.map(() => new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: 10_000 }));
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
        const store = new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: 10_000 });
        stores.push(store);
        return new Keyv({ store, namespace, throwOnErrors: true });
      }),
    async disconnect() {
      await Promise.all(stores.map((s) => s.disconnect()));
    },
  };
}

async function openRedis(url: string): Promise<StoreNamespaces> {
  const client = createClient({
    url,
    socket: {
      connectTimeout: REDIS_TIMEOUT_MS,
      reconnectStrategy: (retries) => Math.min(retries * 200, 2_000),
    },
  });
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
  return {
    jobs: jobs as Keyv,
    active: active as Keyv,
    callbacks: callbacks as Keyv,
    media: media as Keyv,
    open: (namespace) => opened(extra, namespace, () => keyvFor(namespace)),
    async disconnect() {
      if (client.isOpen) await client.quit();
    },
  };
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
