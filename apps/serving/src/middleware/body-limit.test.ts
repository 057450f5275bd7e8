import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isErrorShape } from '../testing/load.js';
import { type ServiceProcess, spawnService } from '../testing/spawn-service.js';

const MiB = 1024 * 1024;
// What the client would send if nobody stopped it: far more than the service could hold, and more
// than loopback carries in the 500 ms for which @hono/node-server drains an unread body.
const BODY_BYTES = 2048 * MiB;
const CHUNK = Buffer.alloc(64 * 1024, 0x20);
// Reading the body whole would grow the service by 2 GiB; reading and dropping it for the 500 ms of
// @hono/node-server's drain leaves garbage of a few tens of MiB until the next collection.

/** Resident memory of a process, in MiB (Linux). */
function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

interface Upload {
  /** Body bytes written when the response's status line arrived. */
  sentAtResponse: number;
  /** Body bytes written when the server closed the connection (or the upload ended). */
  sentAtClose: number;
  /** Everything the service sent. */
  reply: string;
  status: number;
  body: unknown;
  /** Largest resident size of the service seen during the upload. */
  peakRssMiB: number;
}

/**
 * Streams a chunked body of BODY_BYTES (a 64 KiB chunk at a time, waiting for the socket to drain)
 * and watches for the answer: a service that reads a body whole before refusing it would answer
 * only at the end, holding it in memory.
 */
async function hugeChunkedUpload(url: string, pid: number, requestLine: string): Promise<Upload> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  await new Promise((resolve) => socket.once('connect', resolve));
  let sent = 0;
  let reply = '';
  let sentAtResponse = -1;
  let closed = false;
  socket.on('data', (chunk: Buffer) => {
    if (sentAtResponse < 0) sentAtResponse = sent;
    reply += chunk.toString('utf8');
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
  });
  const opening = '{"user_id":"u","pad":"';
  socket.write(
    `${requestLine}\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n` +
      `${opening.length.toString(16)}\r\n${opening}\r\n`,
  );
  let peakRssMiB = rssMiB(pid);
  for (let i = 0; sent < BODY_BYTES && !closed; i++) {
    socket.write(`${CHUNK.length.toString(16)}\r\n`);
    socket.write(CHUNK);
    const flushed = socket.write('\r\n');
    sent += CHUNK.length;
    if (!flushed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        socket.once('drain', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (i % 16 === 0) {
      peakRssMiB = Math.max(peakRssMiB, rssMiB(pid));
      // Let the reply be read as soon as it is there, so `sentAtResponse` says when it came.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const sentAtClose = sent;
  socket.destroy();
  const end = reply.indexOf('\r\n\r\n');
  return {
    sentAtResponse,
    sentAtClose,
    reply,
    status: Number(reply.slice(9, 12)),
    body: end < 0 ? undefined : JSON.parse(reply.slice(end + 4).split('\r\n')[0]!),
    peakRssMiB,
  };
}

/** Kept for docs/reliability.md. */
function report(request: string, upload: Upload, baselineRssMiB: number): void {
  console.info(
    JSON.stringify({
      hostile: 'body-limit',
      request,
      status: upload.status,
      answered_after_mib: Math.round((upload.sentAtResponse / MiB) * 10) / 10,
      dropped_after_mib: Math.round((upload.sentAtClose / MiB) * 10) / 10,
      rss_growth_mib: Math.round((upload.peakRssMiB - baselineRssMiB) * 10) / 10,
    }),
  );
}

describe('bodies over MAX_BODY_BYTES (dist/main.js, default 1 MiB)', () => {
  let dir: string;
  let service: ServiceProcess;
  let pid: number;
  let baselineRssMiB: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oo-body-limit-'));
    service = await spawnService({ env: { STATE_DIR: dir, ADMIN_TOKEN: 'body-limit-token' } });
    pid = service.child.pid!;
    baselineRssMiB = rssMiB(pid);
  });
  afterAll(async () => {
    await service?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['POST /score', 'POST /reward/egreedy', 'POST /generate'])(
    '%s: a 2 GiB chunked body is refused with 413 at its start, and the connection is dropped',
    async (requestLine) => {
      const upload = await hugeChunkedUpload(service.url, pid, `${requestLine} HTTP/1.1`);
      report(requestLine, upload, baselineRssMiB);
      expect(upload.status).toBe(413);
      expect(isErrorShape(upload.body, 413)).toBe(true);
      // The answer comes at the start of the body (the limit, plus what socket buffers and a busy
      // machine let through meanwhile), not at its end.
      expect(upload.sentAtResponse).toBeLessThan(32 * MiB);
      // The service stops reading: the client cannot push the rest of its 2 GiB through.
      expect(upload.sentAtClose).toBeLessThan(BODY_BYTES);
      expect(upload.peakRssMiB - baselineRssMiB).toBeLessThan(128);
    },
  );

  it.each(['POST /reset/u', 'POST /no-such-route'])(
    '%s: answered without reading the body, and the connection is dropped',
    async (requestLine) => {
      const upload = await hugeChunkedUpload(service.url, pid, `${requestLine} HTTP/1.1`);
      report(requestLine, upload, baselineRssMiB);
      expect([401, 404]).toContain(upload.status);
      expect(isErrorShape(upload.body, upload.status)).toBe(true);
      expect(upload.sentAtResponse).toBeLessThan(32 * MiB);
      expect(upload.sentAtClose).toBeLessThan(BODY_BYTES);
      expect(upload.peakRssMiB - baselineRssMiB).toBeLessThan(128);
    },
  );

  it('GET /health with a 2 GiB chunked body: answered, and the connection is dropped', async () => {
    const upload = await hugeChunkedUpload(service.url, pid, 'GET /health HTTP/1.1');
    report('GET /health', upload, baselineRssMiB);
    // Closing a connection whose input is unread makes the kernel reset it, which can discard the
    // reply before the client reads it: for a GET with a body, that is the client's loss.
    if (upload.reply !== '') {
      expect(upload.status).toBe(200);
      expect(upload.sentAtResponse).toBeLessThan(32 * MiB);
    }
    expect(upload.sentAtClose).toBeLessThan(BODY_BYTES);
    expect(upload.peakRssMiB - baselineRssMiB).toBeLessThan(128);
  });

  it('still serves afterwards', async () => {
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
  });
});
