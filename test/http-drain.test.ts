// HttpServer.drain on raw sockets, where the timing is under the test's control: a request being handled
// finishes (with `connection: close`), requests that arrive on already-open sockets get 503 +
// `connection: close`, idle kept-alive sockets are closed, new connections are refused, and a
// handler that outlives the budget is cut and reported.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpServer, sendJson } from '../src/http/server.js';
import { silentLogger } from '../src/logger.js';

interface Raw {
  socket: Socket;
  /** Everything the server sent, resolved when the socket closes. */
  closed: Promise<string>;
}

function open(port: number, text = ''): Raw {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => {
    received += chunk.toString('latin1');
  });
  const closed = new Promise<string>((resolve) => {
    socket.on('close', () => resolve(received));
    socket.on('error', () => {});
  });
  if (text) socket.write(text);
  return { socket, closed };
}

const GET = (p: string) => `GET ${p} HTTP/1.1\r\nHost: bot\r\n\r\n`;
const statusLine = (text: string) => text.split('\r\n')[0];
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start() {
  server = new HttpServer(silentLogger());
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  server.route('GET', '/slow', async (_req, res) => {
    await gate;
    sendJson(res, 200, { ok: true });
  });
  server.route('GET', '/fast', (_req, res) => sendJson(res, 200, { ok: true }));
  server.route('GET', '/stuck', () => new Promise<void>(() => {}));
  const { port } = await server.listen('127.0.0.1', 0);
  return { server, port, release };
}

describe('HttpServer.drain', () => {
  it('finishes what is in flight, answers late arrivals 503 and refuses new connections', async () => {
    const { server, port, release } = await start();
    const inFlight = open(port, GET('/slow'));
    const keptAlive = open(port, GET('/fast'));
    const halfSent = open(port, 'GET /fast HTTP/1.1\r\nHost: bot\r\n');
    const silent = open(port);
    await tick(150);

    const drained = server.drain(3_000);
    await tick(50);
    halfSent.socket.write('\r\n');
    silent.socket.write(GET('/fast'));
    const late = open(port, GET('/fast'));
    await tick(100);
    release();

    const slow = await inFlight.closed;
    expect(statusLine(slow)).toBe('HTTP/1.1 200 OK');
    expect(slow.toLowerCase()).toContain('connection: close');
    for (const raw of [halfSent, silent]) {
      const text = await raw.closed;
      expect(statusLine(text)).toBe('HTTP/1.1 503 Service Unavailable');
      expect(text.toLowerCase()).toContain('connection: close');
      expect(text).toContain('shutting down');
    }
    // Its one answer came before the drain; then Node closed it as idle instead of keeping it alive.
    expect((await keptAlive.closed).match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(await late.closed).toBe('');
    expect(await drained).toMatchObject({ inFlight: 1, refused: 2, unfinished: 0 });
  });

  it('cuts a handler that outlives the budget, and close() after drain() returns the same report', async () => {
    const { server, port } = await start();
    const stuck = open(port, GET('/stuck'));
    await tick(100);
    const started = Date.now();
    const report = await server.drain(300);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(report).toMatchObject({ inFlight: 1, unfinished: 1 });
    expect(await stuck.closed).toBe('');
    await server.close();
    expect(await server.drain()).toBe(report);
  });
});
