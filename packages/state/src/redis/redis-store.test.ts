import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidUserIdError, StoreUnavailableError } from '../errors.js';
import { runStoreConformance } from '../store.case.js';
import type { StateStore } from '../store.js';
import { counterOf, counterState } from '../testing/counter-state.js';
import { findFreePort } from '../testing/free-port.js';
import { type RedisServer, startRedisServer } from '../testing/redis-server.js';
import { figuresKey, userRecordKey } from './keys.js';
import { COMPARE_AND_SET, sha1Hex } from './lua-script.js';
import { createRedisStore } from './redis-store.js';

let server: RedisServer;
let raw: Redis;
let sequence = 0;

beforeAll(async () => {
  server = await startRedisServer();
  raw = new Redis(server.url);
});
afterAll(async () => {
  raw?.disconnect();
  await server?.close();
});

runStoreConformance('redis', async () => {
  // Each test gets its own key prefix on the shared server.
  const keyPrefix = `t${++sequence}:`;
  // Generous: the multi-process tests share two cores with everything else running.
  const spec = {
    backend: 'redis',
    url: server.url,
    keyPrefix,
    lockTimeoutMs: 30_000,
    commandTimeoutMs: 5_000,
    connectTimeoutMs: 10_000,
  } as const;
  const keysMatching = async (pattern: string) => (await raw.keys(pattern)).sort();
  return {
    store: createRedisStore(spec),
    spec,
    async writeRaw(owner, record, data) {
      await raw.set(
        record === 'figures' ? figuresKey(keyPrefix, owner) : userRecordKey(keyPrefix, owner, record),
        data,
      );
    },
    readAt: (key) => raw.get(key),
    entriesOf: (userId) => keysMatching(`${keyPrefix}{${userId}}*`),
    everything: () => keysMatching(`${keyPrefix}*`),
    leftovers: async (userId) =>
      (await keysMatching(`${keyPrefix}{${userId}}*`)).filter((key) => !/:(state|sync)$/.test(key)),
    async cleanup() {
      const keys = await raw.keys(`${keyPrefix}*`);
      if (keys.length > 0) await raw.del(...keys);
    },
  };
});

const bump = (store: StateStore, userId: string) =>
  store.updateUser(userId, (state) => {
    const n = counterOf(state) + 1;
    return { result: n, state: counterState(state, n, 0) };
  });

async function timed<T>(work: () => Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
  const started = performance.now();
  const outcome = await work().then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  return { ...outcome, ms: performance.now() - started };
}

describe('redis store', () => {
  const opened: StateStore[] = [];
  const open = (options: Partial<Parameters<typeof createRedisStore>[0]> = {}) => {
    const store = createRedisStore({ url: server.url, keyPrefix: `x${++sequence}:`, ...options });
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it('keys every record of a user under the user id as hash tag', async () => {
    const store = open({ keyPrefix: 'keys:' });
    await bump(store, 'auth0:42');
    await store.updateSync('auth0:42', () => ({
      result: null,
      state: {
        v: 1,
        last_sync_ts: '2025-01-01T00:00:00Z',
        task_count: 1,
        event_ids: [],
        updated_at: '2025-01-01T00:00:00Z',
      },
    }));
    await store.writeFigures('consumer', { v: 1, consumers: {}, updated_at: '2025-01-01T00:00:00Z' });
    expect((await raw.keys('keys:*')).sort()).toEqual([
      'keys:figures:{consumer}',
      'keys:{auth0:42}:state',
      'keys:{auth0:42}:sync',
    ]);
    expect(JSON.parse((await raw.get('keys:{auth0:42}:state'))!)).toMatchObject({
      v: 1,
      user_id: 'auth0:42',
    });
    await store.deleteUser('auth0:42');
    expect(await raw.keys('keys:*')).toEqual(['keys:figures:{consumer}']);
    await raw.del('keys:figures:{consumer}');
  });

  it('lists only the state keys of its own prefix, its glob characters taken literally, by SCAN', async () => {
    const store = open({ keyPrefix: 'l*[s]?:' });
    const other = open({ keyPrefix: 'lx[s]a:' });
    await bump(store, 'mine');
    await bump(other, 'theirs');
    // Keys under the prefix that are no user's state: another kind, a foreign shape, a bad id.
    await raw.set('l*[s]?:{ghost}:sync', '{}');
    await raw.set('l*[s]?:{../x}:state', '{}');
    await raw.set('l*[s]?:{a}b}:state', '{}');
    await raw.set('l*[s]?:{mine}:state:corrupt', '{}');
    const monitor = await raw.duplicate().monitor();
    const commands: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(args[0]!.toLowerCase()));
    const listed: string[] = [];
    for await (const page of store.listUsers({ pageSize: 5 })) listed.push(...page);
    monitor.disconnect();
    expect(listed).toEqual(['mine']);
    expect(commands).toContain('scan');
    expect(commands).not.toContain('keys');
    await raw.del(
      'l*[s]?:{ghost}:sync',
      'l*[s]?:{../x}:state',
      'l*[s]?:{a}b}:state',
      'l*[s]?:{mine}:state:corrupt',
    );
  });

  it('refuses a key prefix with braces, which would steal the hash tag', () => {
    expect(() => createRedisStore({ url: server.url, keyPrefix: 'a{b}:' })).toThrow(TypeError);
  });

  it('sets only over the content it read (compare-and-set script)', async () => {
    const client = raw;
    const key = 'cas:{u1}:state';
    await client.del(key);
    expect(await COMPARE_AND_SET.run(client, [key], [sha1Hex('x'), 'first'])).toBe(0);
    expect(await COMPARE_AND_SET.run(client, [key], ['', 'first'])).toBe(1);
    expect(await COMPARE_AND_SET.run(client, [key], ['', 'again'])).toBe(0);
    expect(await COMPARE_AND_SET.run(client, [key], [sha1Hex('stale'), 'second'])).toBe(0);
    expect(await COMPARE_AND_SET.run(client, [key], [sha1Hex('first'), 'second'])).toBe(1);
    expect(await client.get(key)).toBe('second');
    await client.del(key);
  });

  it('retries on conflict between processes, calling fn again on the fresh state', async () => {
    // Two store instances have separate in-process queues, like two processes.
    const [a, b] = [open({ keyPrefix: 'race:' }), open({ keyPrefix: 'race:' })];
    let calls = 0;
    const increment = (store: StateStore) =>
      store.updateUser('hot', (state) => {
        calls++;
        return { result: null, state: counterState(state, counterOf(state) + 1, 0) };
      });
    await Promise.all([
      ...Array.from({ length: 100 }, () => increment(a)),
      ...Array.from({ length: 100 }, () => increment(b)),
    ]);
    expect(counterOf(await a.readUser('hot'))).toBe(200);
    expect(calls).toBeGreaterThan(200);
    await a.deleteUser('hot');
  });

  it('lets operations issued before the connection is up share one wait for it', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const store = open();
      const states = await Promise.all(Array.from({ length: 100 }, (_, i) => store.readUser(`early-${i}`)));
      expect(states.map((state) => state.user_id)).toEqual(
        Array.from({ length: 100 }, (_, i) => `early-${i}`),
      );
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((warning) => warning.name)).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('reloads its scripts when the server lost them (SCRIPT FLUSH, restart)', async () => {
    const store = open();
    await bump(store, 'u1');
    await raw.script('FLUSH');
    expect(await bump(store, 'u1')).toBe(2);
  });

  it('rejects hostile ids without touching an unreachable server', async () => {
    const port = await findFreePort();
    const store = open({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 5_000 });
    const { error, ms } = await timed(() => store.readUser('../x'));
    expect(error).toBeInstanceOf(InvalidUserIdError);
    expect(ms).toBeLessThan(250);
    await expect(store.updateUser('a\0b', () => ({ result: null }))).rejects.toBeInstanceOf(
      InvalidUserIdError,
    );
  });

  it('fails with StoreUnavailableError within connectTimeoutMs when nothing listens', async () => {
    const port = await findFreePort();
    const store = open({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300 });
    const first = await timed(() => store.ping());
    expect(first.error).toBeInstanceOf(StoreUnavailableError);
    expect(first.ms).toBeGreaterThanOrEqual(250);
    expect(first.ms).toBeLessThan(2_000);
    // Once the outage is known, requests fail at once instead of each waiting again.
    const second = await timed(() => store.readUser('u1'));
    expect(second.error).toBeInstanceOf(StoreUnavailableError);
    expect(second.ms).toBeLessThan(250);
  });

  describe('outages', { timeout: 60_000 }, () => {
    let own: RedisServer;
    beforeAll(async () => {
      own = await startRedisServer({ appendonly: true });
    });
    afterAll(async () => {
      await own?.close();
    });

    it('fails fast with StoreUnavailableError while Redis is down and recovers on its own when it is back', async () => {
      const store = open({
        url: own.url,
        connectTimeoutMs: 500,
        commandTimeoutMs: 500,
        reconnectDelayMaxMs: 200,
      });
      expect(await bump(store, 'u1')).toBe(1);

      await own.stop();
      const operations: (() => Promise<unknown>)[] = [
        () => store.ping(),
        () => store.readUser('u1'),
        () => bump(store, 'u1'),
        () => store.deleteUser('u1'),
        () => store.readFigures('consumer'),
      ];
      for (const operation of operations) {
        const { error, ms } = await timed(operation);
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect(ms).toBeLessThan(500 + 1_500);
      }
      const queued = await timed(() =>
        Promise.allSettled(Array.from({ length: 20 }, () => bump(store, 'u1'))),
      );
      expect(
        queued.value?.every((r) => r.status === 'rejected' && r.reason instanceof StoreUnavailableError),
      ).toBe(true);
      expect(queued.ms).toBeLessThan(500 + 1_500);

      await own.restart();
      const deadline = Date.now() + 15_000;
      while (
        !(await store.ping().then(
          () => true,
          () => false,
        ))
      ) {
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // Same store object, and the acknowledged write survived (AOF, appendfsync always).
      expect(await bump(store, 'u1')).toBe(2);
    });

    it('times out a command Redis does not answer (SIGSTOP) and works again after SIGCONT', async () => {
      const store = open({ url: own.url, connectTimeoutMs: 500, commandTimeoutMs: 400 });
      await store.ping();
      const pid = own.pid;
      process.kill(pid, 'SIGSTOP');
      try {
        const { error, ms } = await timed(() => bump(store, 'u2'));
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect(ms).toBeGreaterThanOrEqual(350);
        expect(ms).toBeLessThan(400 + 1_500);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      const deadline = Date.now() + 15_000;
      while (
        !(await bump(store, 'u2').then(
          () => true,
          () => false,
        ))
      ) {
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(counterOf(await store.readUser('u2'))).toBeGreaterThanOrEqual(1);
    });
  });
});
