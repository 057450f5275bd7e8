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
    if (i % 16 === 0) peakRssMiB = Math.max(peakRssMiB, rssMiB(pid));
  }
  const sentAtClose = sent;
  socket.destroy();
  const end = reply.indexOf('\r\n\r\n');
  return {
    sentAtResponse,
    sentAtClose,
    status: Number(reply.slice(9, 12)),
    body: JSON.parse(reply.slice(end + 4).split('\r\n')[0]!),
    peakRssMiB,
  };
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
    '%s: a 2 GiB chunked body is refused with 413 after about 1 MiB, and the connection is dropped',
    async (requestLine) => {
      const upload = await hugeChunkedUpload(service.url, pid, `${requestLine} HTTP/1.1`);
      expect(upload.status).toBe(413);
      expect(isErrorShape(upload.body, 413)).toBe(true);
      // The limit plus what was in flight in socket buffers, not the body.
      expect(upload.sentAtResponse).toBeLessThan(8 * MiB);
      // The service stops reading: the client cannot push the rest of its 2 GiB through.
      expect(upload.sentAtClose).toBeLessThan(BODY_BYTES);
      expect(upload.peakRssMiB - baselineRssMiB).toBeLessThan(64);
    },
  );

  it.each(['POST /reset/u', 'POST /no-such-route'])(
    '%s: answered without reading the body, and the connection is dropped',
    async (requestLine) => {
      const upload = await hugeChunkedUpload(service.url, pid, `${requestLine} HTTP/1.1`);
      expect([401, 404]).toContain(upload.status);
      expect(isErrorShape(upload.body, upload.status)).toBe(true);
      expect(upload.sentAtResponse).toBeLessThan(8 * MiB);
      expect(upload.sentAtClose).toBeLessThan(BODY_BYTES);
      expect(upload.peakRssMiB - baselineRssMiB).toBeLessThan(64);
    },
  );

  it('GET /health with a 2 GiB chunked body: answered, and the connection is dropped', async () => {
    const upload = await hugeChunkedUpload(service.url, pid, 'GET /health HTTP/1.1');
    expect(upload.status).toBe(200);
    expect(upload.sentAtResponse).toBeLessThan(8 * MiB);
    expect(upload.sentAtClose).toBeLessThan(BODY_BYTES);
    expect(upload.peakRssMiB - baselineRssMiB).toBeLessThan(64);
  });

  it('still serves afterwards', async () => {
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
  });
});
