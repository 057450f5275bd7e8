import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreBody } from '../testing/bodies.js';
import { post } from '../testing/http.js';
import { percentile } from '../testing/load.js';
import { type ServiceProcess, spawnService } from '../testing/spawn-service.js';

// The shipped time-outs (src/server.ts): a request has 10 s for its headers and 30 s in all.
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
// How late after its deadline a connection may still be cut: Node enforces these time-outs on a
// periodic sweep of the connections, plus scheduling noise on a busy machine.
const ENFORCEMENT_SLACK_MS = 5_000;
const IDLE_CONNECTIONS = 1_000;
const DRIP_MS = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Held {
  socket: Socket;
  /** `performance.now()` when the connection was established. */
  openedAt: number;
  /** Resolves with the time from `openedAt` to the server closing it, and what it sent first. */
  closed: Promise<{ afterMs: number; reply: string }>;
}

/** A raw connection to `url` that the test feeds by hand. */
async function hold(url: string): Promise<Held> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const openedAt = performance.now();
  let reply = '';
  socket.on('data', (chunk: Buffer) => {
    reply += chunk.toString('latin1');
  });
  const closed = new Promise<{ afterMs: number; reply: string }>((resolve) => {
    // A reset counts as closed as well: the server let go of the connection either way.
    socket.on('error', () => {});
    socket.once('close', () => resolve({ afterMs: performance.now() - openedAt, reply }));
  });
  return { socket, openedAt, closed };
}

/** The JSON body of a raw HTTP response. */
function bodyOf(reply: string): unknown {
  return JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4));
}

/** Writes `text` one byte every `DRIP_MS` until the socket closes or the text runs out. */
async function drip(held: Held, text: string): Promise<void> {
  for (const byte of text) {
    if (held.socket.destroyed || !held.socket.writable) return;
    held.socket.write(byte);
    await sleep(DRIP_MS);
  }
}

describe('slow and idle clients (dist/main.js with its shipped time-outs)', () => {
  let dir: string;
  let service: ServiceProcess;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oo-faults-slow-'));
    service = await spawnService({ env: { STATE_DIR: dir } });
  });
  afterAll(async () => {
    await service?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('cuts slow headers and slow bodies at their time-outs while idle connections pile up, and keeps serving', async () => {
    const slowHeaders = await hold(service.url);
    // Headers that never end: one more byte of a header value every half second.
    void drip(slowHeaders, `POST /score HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(1_000)}`);

    const slowBody = await hold(service.url);
    const body = JSON.stringify(scoreBody('slow-body-user'));
    slowBody.socket.write(
      `POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    void drip(slowBody, body);

    // Connections that never send a byte, and connections that stop halfway through their headers.
    const idle = await Promise.all(Array.from({ length: IDLE_CONNECTIONS }, () => hold(service.url)));
    for (const held of idle.slice(0, IDLE_CONNECTIONS / 2)) held.socket.write('GET /health HTTP/1.1\r\nHo');

    // Meanwhile, ordinary requests are served as usual.
    const latencies: number[] = [];
    const deadline = performance.now() + 5_000;
    for (let i = 0; performance.now() < deadline; i++) {
      const started = performance.now();
      const reply = await post(service.url, '/score', scoreBody(`busy-${i % 5}`));
      latencies.push(performance.now() - started);
      expect(reply.status).toBe(200);
    }

    const [headersCut, bodyCut] = await Promise.all([slowHeaders.closed, slowBody.closed]);
    const idleCuts = await Promise.all(idle.map((held) => held.closed));
    expect(headersCut.afterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
    expect(headersCut.afterMs).toBeLessThanOrEqual(HEADERS_TIMEOUT_MS + ENFORCEMENT_SLACK_MS);
    expect(headersCut.reply).toMatch(/^HTTP\/1\.1 408 /);
    // In the spec's error shape, like every error.
    expect(bodyOf(headersCut.reply)).toEqual({
      error: { code: 'request_timeout', message: expect.any(String) },
    });
    expect(bodyCut.afterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    expect(bodyCut.afterMs).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS + ENFORCEMENT_SLACK_MS);
    expect(bodyCut.reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(bodyOf(bodyCut.reply)).toEqual({
      error: { code: 'request_timeout', message: expect.any(String) },
    });
    const slowestIdleCut = Math.max(...idleCuts.map((cut) => cut.afterMs));
    expect(slowestIdleCut).toBeLessThanOrEqual(HEADERS_TIMEOUT_MS + ENFORCEMENT_SLACK_MS);
    expect(service.child.exitCode).toBeNull();

    console.info(
      JSON.stringify({
        fault: 'slow-clients',
        idle_connections: IDLE_CONNECTIONS,
        requests_served_meanwhile: latencies.length,
        latency_ms_p50: Math.round(percentile(latencies, 50) * 10) / 10,
        latency_ms_p99: Math.round(percentile(latencies, 99) * 10) / 10,
        slow_headers_cut_after_ms: Math.round(headersCut.afterMs),
        slow_body_cut_after_ms: Math.round(bodyCut.afterMs),
        idle_cut_after_ms_max: Math.round(slowestIdleCut),
        idle_cut_after_ms_min: Math.round(Math.min(...idleCuts.map((cut) => cut.afterMs))),
      }),
    );
  });
});
