import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreBody } from './testing/bodies.js';
import { get, post } from './testing/http.js';
import { DIST_MAIN, spawnService, startProcess } from './testing/spawn-service.js';
import { createStoreFixture, type StoreFixture } from './testing/test-stores.js';

/** Everything a raw socket received so far, and a way to wait for more. */
function socketReader(socket: Socket) {
  let data = '';
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    data += chunk.toString('utf8');
    for (const wake of waiters.splice(0)) wake();
  });
  const until = <T>(parse: (text: string) => T | undefined, timeoutMs = 15_000): Promise<T> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out; received ${JSON.stringify(data)}`)),
        timeoutMs,
      );
      const check = () => {
        const value = parse(data);
        if (value === undefined) return void waiters.push(check);
        clearTimeout(timer);
        resolve(value);
      };
      check();
    });
  return {
    until,
    /** The final (non-1xx) response: status and body. */
    response: () =>
      until((text) => {
        const start = text.search(/HTTP\/1\.1 [2-5]\d\d /);
        const end = start < 0 ? -1 : text.indexOf('\r\n\r\n', start);
        if (end < 0) return undefined;
        const length = Number(/content-length: (\d+)/i.exec(text.slice(start, end))?.[1] ?? 0);
        if (text.length - end - 4 < length) return undefined;
        return {
          status: Number(text.slice(start + 9, start + 12)),
          body: text.slice(end + 4, end + 4 + length),
        };
      }),
  };
}

async function eventually(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !condition(); ) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('dist/main.js', () => {
  let dir: string;
  let redisFixture: StoreFixture;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oo-serving-main-'));
    redisFixture = await createStoreFixture('redis');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await redisFixture?.close();
  });

  // Concurrent: each case is a process start, and they share nothing.
  it.concurrent.each([
    ['PORT', 'eighty', 'eighty'],
    ['STATE_BACKEND', 'mongo', 'mongo'],
    ['LINUCB_ALPHA', '-1', '-1'],
    ['MAX_BODY_BYTES', '1.5', '1.5'],
    ['REDIS_URL', 'http://127.0.0.1:6379', 'http://127.0.0.1:6379'],
  ])('refuses to start when %s=%s, naming the variable', async (variable, value, shown) => {
    const started = startProcess(DIST_MAIN, { [variable]: value, STATE_DIR: dir });
    expect(await started.exited).toBe(1);
    const stderr = started.stderr();
    const line = JSON.parse(stderr.trim().split('\n').at(-1)!);
    expect(line).toMatchObject({ level: 'fatal', logger: 'serving', variables: [variable] });
    expect(line.msg).toContain(`${variable}:`);
    expect(line.msg).toContain(shown);
  });

  it.concurrent('names a bad secret without echoing it', async () => {
    const secret = `sk-${'s'.repeat(2_000)}`;
    const started = startProcess(DIST_MAIN, {
      ADMIN_TOKEN: secret,
      SENTRY_DSN: 'not-a-url-hunter2',
      STATE_DIR: dir,
    });
    expect(await started.exited).toBe(1);
    const stderr = started.stderr();
    expect(stderr).toContain('ADMIN_TOKEN');
    expect(stderr).toContain('SENTRY_DSN');
    expect(stderr).not.toContain('sss');
    expect(stderr).not.toContain('hunter2');
  });

  it('runs on its embedded default: file state, no NATS, both agents registered', async () => {
    const service = await spawnService({ env: { STATE_DIR: dir } });
    try {
      const health = await get(service.url, '/health');
      expect(health.status).toBe(200);
      expect(health.body.state).toEqual({ backend: 'file', ok: true });
      expect(health.body.nats).toMatchObject({ enabled: false });
      const registry = await get(service.url, '/agents/registry');
      expect(registry.body.agents.map((a: { id: string }) => a.id)).toEqual(['tip-generator', 'task-nudge']);
      const scored = await post(service.url, '/score', scoreBody('embedded-user'));
      expect(scored.status).toBe(200);
    } finally {
      expect(await service.stop()).toBe(0);
    }
  });

  it('serves on the Redis backend when STATE_BACKEND=redis', async () => {
    const service = await spawnService({
      env: { STATE_BACKEND: 'redis', REDIS_URL: redisFixture.redis!.url },
    });
    try {
      const health = await get(service.url, '/health');
      expect(health.status).toBe(200);
      expect(health.body.state).toEqual({ backend: 'redis', ok: true });
    } finally {
      expect(await service.stop()).toBe(0);
    }
  });

  it('on SIGTERM stops accepting, finishes the in-flight request, then exits 0', async () => {
    const service = await spawnService({ env: { STATE_DIR: dir, SHUTDOWN_GRACE_MS: '10000' } });
    const { port } = new URL(service.url);
    const socket = connect({ host: '127.0.0.1', port: Number(port) });
    const reader = socketReader(socket);
    try {
      const body = JSON.stringify(scoreBody('sigterm-user'));
      // `Expect: 100-continue` makes Node answer "100 Continue" once it has parsed the headers:
      // from then on the request is provably in flight, waiting for its body.
      socket.write(
        `POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n` +
          'Expect: 100-continue\r\n\r\n',
      );
      await reader.until((text) => (text.includes('HTTP/1.1 100 Continue') ? true : undefined));
      socket.write(body.slice(0, 20));

      service.child.kill('SIGTERM');
      await eventually(() => service.lines.some((line) => line.msg === 'shutting down'));
      expect(service.child.exitCode).toBeNull();
      // No new connections while it drains.
      await expect(fetch(`${service.url}/health`)).rejects.toThrow();

      socket.write(body.slice(20));
      const { status, body: replyBody } = await reader.response();
      expect(status).toBe(200);
      expect(JSON.parse(replyBody)).toMatchObject({ policy: 'linucb-v1', chosen_id: expect.any(String) });
      expect(await service.exited).toBe(0);
      expect(service.lines.map((line) => line.msg)).toEqual(
        expect.arrayContaining(['listening', 'shutting down', 'stopped']),
      );
    } finally {
      socket.destroy();
      await service.stop('SIGKILL');
    }
  });

  it('SIGINT stops it as well, releasing the Redis connection', async () => {
    const service = await spawnService({
      env: { STATE_BACKEND: 'redis', REDIS_URL: redisFixture.redis!.url },
    });
    expect((await get(service.url, '/health')).status).toBe(200);
    expect(await service.stop('SIGINT')).toBe(0);
  });
});
