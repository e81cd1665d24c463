// The container set-up checked without a Docker engine: compose.yaml (parsed with `yaml`), the
// Dockerfile and .env.example against the real configuration schema, and the image's own HEALTHCHECK
// command run against a real app. What a build would reveal later (a typo in a variable, a root user,
// dev dependencies, a health path nobody serves, a grace period shorter than the drain) fails here.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { validate } from 'dockerfile-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envSchema, loadConfig } from '../src/config.js';
import { argsOf, envOf, healthcheckCommand, parseDockerfile } from './helpers/dockerfile.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const run = promisify(execFile);
const dockerfileText = readFileSync('Dockerfile', 'utf8');
const dockerfile = parseDockerfile(dockerfileText);
const runtime = dockerfile.stages.at(-1);
if (!runtime) throw new Error('Dockerfile has no stage');
const imageEnv = envOf(runtime);

type Service = Record<string, unknown> & { environment?: Record<string, string> | string[] };
const compose = parse(readFileSync('compose.yaml', 'utf8')) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const bot = compose.services.bot ?? {};
const redis = compose.services.redis ?? {};

/** Compose's `${NAME:-default}` interpolation with nothing set, which is what `up` sees by default. */
const interpolate = (text: string) => text.replace(/\$\{\w+:-([^}]*)\}/g, '$1');
const envRecord = (env: Service['environment']): Record<string, string> =>
  Array.isArray(env)
    ? Object.fromEntries(env.map((pair) => [pair.split('=')[0] ?? '', pair.split('=').slice(1).join('=')]))
    : Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, String(v)]));
const composeEnv = envRecord(bot.environment);
const envExample = Object.fromEntries(
  readFileSync('.env.example', 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);
/** Go durations as compose writes them: 15s, 1m30s, 500ms. */
function durationMs(text: string): number {
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001 };
  return [...text.matchAll(/(\d+(?:\.\d+)?)(ms|us|h|m|s)/g)].reduce(
    (sum, [, n, u]) => sum + Number(n) * (unit[u ?? 's'] ?? 0),
    0,
  );
}
/** The main.ts shutdown budget: Docker must not SIGKILL before it is spent. */
const SHUTDOWN_BUDGET_MS = 10_000;
/** Node and glibc tuning in the image, not the bot's configuration. */
const RUNTIME_ONLY = new Set(['NODE_ENV', 'MALLOC_ARENA_MAX', 'NODE_OPTIONS']);

describe('configuration in compose.yaml, .env.example and the image', () => {
  const known = new Set(Object.keys(envSchema.shape));

  it('names only variables the zod schema defines', () => {
    const names = [...Object.keys(composeEnv), ...Object.keys(envExample), ...Object.keys(imageEnv)];
    expect(names.filter((name) => !RUNTIME_ONLY.has(name) && !known.has(name))).toEqual([]);
    expect(Object.keys(envExample).length).toBeGreaterThan(15);
  });

  it('gives values loadConfig accepts: Redis store, /data, every interface, the exposed port', () => {
    const config = loadConfig({ ...imageEnv, ...envExample, ...composeEnv });
    expect(config.store.url).toBe('redis://redis:6379');
    expect(config.paths.dataDir).toBe(imageEnv.DATA_DIR);
    expect(config.http.host).toBe('0.0.0.0');
    expect(argsOf(runtime, 'EXPOSE')).toEqual([String(config.http.port)]);
    expect(config.discord).toBeUndefined(); // nothing secret is filled in by the example
  });

  it('keeps secrets out: empty in .env.example, absent from compose.yaml, .env not in the build context', () => {
    const secret = /TOKEN|SECRET|_KEY$/;
    const secrets = Object.keys(envExample).filter((name) => secret.test(name));
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    for (const name of secrets) expect(envExample[name], name).toBe('');
    expect(Object.keys(composeEnv).filter((name) => secret.test(name))).toEqual([]);
    expect([bot.env_file].flat()).toContain('.env');
    expect(readFileSync('.dockerignore', 'utf8').split('\n')).toContain('.env');
  });
});

describe('the image', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('checks health on /healthz with its own HEALTHCHECK command, which the app answers', async () => {
    const command = healthcheckCommand(runtime);
    expect(command?.join(' ')).toContain('/healthz');
    const [program, ...rest] = command ?? [];
    expect(program).toBe('node');
    const port = new URL(t.app.url).port;
    const env = { PATH: process.env.PATH ?? '', PORT: port };
    await expect(run(process.execPath, rest, { env, timeout: 10_000 })).resolves.toBeDefined();
    // And it fails when nothing answers, so Docker marks the container unhealthy.
    const closed = run(process.execPath, rest, { env: { ...env, PORT: '1' }, timeout: 10_000 });
    await expect(closed).rejects.toMatchObject({ code: 1 });
  });

  it('is multi-stage: production dependencies only, built apart from Debian ffmpeg and a non-root user', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    const installs = dockerfile.stages
      .flatMap((s) => argsOf(s, 'RUN'))
      .filter((r) => /npm (ci|install)\b/.test(r));
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install).toMatch(/npm ci\b.*--omit=dev/);
    const copies = argsOf(runtime, 'COPY').filter((c) => c.includes('node_modules'));
    const builder = dockerfile.stages.find((s) => argsOf(s, 'RUN').some((r) => r.includes('--omit=dev')));
    expect(copies).toEqual([expect.stringContaining(`--from=${builder?.name}`)]);

    expect(runtime.from).toMatch(/bookworm|trixie|bullseye|debian/);
    const apt = argsOf(runtime, 'RUN').filter((r) => r.includes('apt-get install'));
    expect(apt.join(' ')).toMatch(/\sffmpeg(\s|$)/);
    expect(apt.join(' ')).not.toMatch(/\s(g\+\+|make|python3)(\s|$)/); // the toolchain stays behind

    const users = runtime.instructions.filter((i) => i.keyword === 'USER');
    expect(users.at(-1)?.args).toMatch(/^(?!root\b|0\b)\S+/);
    const lastRun = runtime.instructions.findLast((i) => i.keyword === 'RUN');
    expect(users.at(-1)?.line ?? 0).toBeGreaterThan(lastRun?.line ?? 0);
    expect(argsOf(runtime, 'ENTRYPOINT').join(' ')).toContain('tini'); // forwards SIGTERM to node
  });

  it('declares the data directory as a volume the bot user can write', () => {
    const dataDir = imageEnv.DATA_DIR ?? '';
    expect(dataDir).toMatch(/^\//);
    expect(argsOf(runtime, 'VOLUME').join(' ')).toContain(`"${dataDir}"`);
    expect(argsOf(runtime, 'RUN').some((r) => r.includes('chown') && r.includes(dataDir))).toBe(true);
  });

  it('passes dockerfile-utils with no error and no warning', () => {
    expect(validate(dockerfileText).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });
});

describe('compose.yaml', () => {
  it('runs Redis from the official image with a health check and an append-only file on a volume', () => {
    expect(String(redis.image)).toMatch(/^redis:/);
    expect(String((redis.healthcheck as { test?: unknown })?.test)).toMatch(/redis-cli.*ping/);
    expect((redis.command as string[]).join(' ')).toContain('--appendonly yes');
    const [volume, target] = String((redis.volumes as string[])[0]).split(':');
    expect(target).toBe('/data');
    expect(Object.keys(compose.volumes ?? {})).toContain(volume);
  });

  it('starts the bot after Redis is healthy, with its data volume, a restart policy and a long grace', () => {
    expect(bot.build).toBeDefined();
    expect((bot.depends_on as Record<string, { condition?: string }>).redis?.condition).toBe(
      'service_healthy',
    );
    const mounts = (bot.volumes as string[]).map((v) => v.split(':'));
    const data = mounts.find(([, target]) => target === imageEnv.DATA_DIR);
    expect(Object.keys(compose.volumes ?? {})).toContain(data?.[0]);
    expect(['always', 'unless-stopped', 'on-failure']).toContain(bot.restart);
    expect(durationMs(String(bot.stop_grace_period))).toBeGreaterThan(SHUTDOWN_BUDGET_MS);
    expect(durationMs(String(redis.stop_grace_period ?? '10s'))).toBeGreaterThanOrEqual(SHUTDOWN_BUDGET_MS);
  });

  it('can scale the bot: no container_name, and host ports from a range, not one fixed port', () => {
    expect(bot.container_name).toBeUndefined();
    for (const entry of (bot.ports as string[]).map(interpolate)) {
      const parts = entry.split(':');
      const container = parts.at(-1) ?? '';
      expect(container).toBe(imageEnv.PORT);
      const host = parts.length > 1 ? (parts.at(-2) ?? '') : '';
      if (!host) continue; // published on a random host port: never clashes
      const [from = 0, to = from] = host.split('-').map(Number);
      expect(to - from + 1).toBeGreaterThanOrEqual(3);
    }
  });

  it('is linted with the rest: validate runs lint:docker', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> })
      .scripts;
    expect(scripts['lint:docker']).toBe('dockerfile-utils lint Dockerfile');
    expect(scripts.validate).toContain('npm run lint:docker');
  });
});
