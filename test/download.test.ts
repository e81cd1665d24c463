// Bounded downloads: a declared Content-Length over the cap, a stream that grows past it, and a
// refused host each end as a DownloadError with a reason, and nothing is left to throw later.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadError, downloadToBuffer } from '../src/http/download.js';

describe('downloadToBuffer', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/declared-big') {
        res.writeHead(200, { 'content-length': 5_000_000 });
        res.write(Buffer.alloc(64 * 1024));
        return; // never finishes: the client must give up on the declared size alone
      }
      if (req.url === '/grows') {
        res.writeHead(200);
        res.end(Buffer.alloc(300_000));
        return;
      }
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(Buffer.from('small'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('refuses a declared size over the cap, leaving no stray error behind', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    await expect(
      downloadToBuffer(`${base}/declared-big`, { maxBytes: 100_000, timeoutMs: 5_000 }),
    ).rejects.toMatchObject({
      reason: 'too-big',
    });
    await new Promise((r) => setTimeout(r, 100));
    process.off('uncaughtException', onUncaught);
    expect(uncaught).toEqual([]);
  });

  it('stops a body that grows past the cap', async () => {
    await expect(
      downloadToBuffer(`${base}/grows`, { maxBytes: 100_000, timeoutMs: 5_000 }),
    ).rejects.toBeInstanceOf(DownloadError);
  });

  it('refuses a host the caller does not allow, before connecting', async () => {
    await expect(
      downloadToBuffer(`${base}/ok`, {
        maxBytes: 1_000,
        timeoutMs: 5_000,
        allowUrl: (u) => u.hostname === 'cdn.discordapp.com',
      }),
    ).rejects.toMatchObject({ reason: 'not-allowed' });
  });

  it('returns small bodies with their content type', async () => {
    const { bytes, contentType } = await downloadToBuffer(`${base}/ok`, {
      maxBytes: 1_000,
      timeoutMs: 5_000,
    });
    expect(bytes.toString()).toBe('small');
    expect(contentType).toBe('image/png');
  });
});
