// Starts a real redis-server (Debian package) on a free loopback port for a test, and stops it after.
// With `dataDir` it keeps an append-only file there, synced on every write, so a test can stop it (an
// outage) and `restart()` it on the same port with its data, as a production Redis with AOF comes back.
import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { freePort } from './free-port.js';

export interface RedisHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Starts it again on the same port (and data directory) after stop(). */
  restart(): Promise<void>;
}

async function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startRedis(
  options: { stopOnExit?: boolean; dataDir?: string } = {},
): Promise<RedisHandle> {
  const port = await freePort();
  const persistence = options.dataDir
    ? ['--dir', options.dataDir, '--appendonly', 'yes', '--appendfsync', 'always']
    : ['--appendonly', 'no'];
  let child: ChildProcess;
  const launch = async () => {
    const started = spawn(
      'redis-server',
      ['--bind', '127.0.0.1', '--port', String(port), '--save', '', ...persistence],
      { stdio: 'ignore' },
    );
    child = started;
    // For servers a test keeps for the whole file: never leave a redis-server behind the test process.
    if (options.stopOnExit) process.once('exit', () => started.kill('SIGTERM'));
    const deadline = Date.now() + 10_000;
    while (!(await ping(port))) {
      if (Date.now() > deadline || started.exitCode !== null) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise((resolve) => {
        const running = child;
        if (running.exitCode !== null || running.signalCode !== null) return resolve();
        running.once('exit', () => resolve());
        running.kill('SIGTERM');
      }),
    restart: launch,
  };
}
