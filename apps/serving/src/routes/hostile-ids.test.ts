import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { StateStore } from '@oo/state';
import { createFileStore, parseRecordDirName } from '@oo/state/file';
import { createRedisStore } from '@oo/state/redis';
import { type RedisServer, startRedisServer } from '@oo/state/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreBody } from '../testing/bodies.js';
import { get, post, rawRequest } from '../testing/http.js';
import { isErrorShape } from '../testing/load.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';

const TOKEN = 'hostile-ids-admin-token';
const ADMIN = { authorization: `Bearer ${TOKEN}` };

// Ids that must never name anything: path syntax, encodings of it, NUL, over-long, a leading dot.
const HOSTILE_IDS = [
  '..',
  '.',
  '../sentinel/victim',
  '../../sentinel',
  '..\\sentinel\\victim',
  '/etc/passwd',
  'a/../../sentinel',
  '..%2Fsentinel',
  '%2e%2e%2fsentinel',
  '%252e%252e%252f',
  '.hidden',
  'a\u0000b',
  '\u0000',
  'sentinel\u0000.json',
  'x'.repeat(129),
  'y'.repeat(10_000),
  'a b',
  '{victim}',
  'ünïcode',
];

// Raw request paths, byte for byte on the wire (fetch would normalise them).
const RAW_PATHS = [
  '/stats/../../sentinel/victim',
  '/stats/..%2F..%2Fsentinel%2Fvictim',
  '/stats/%2e%2e%2f%2e%2e%2fsentinel',
  '/stats/egreedy/..%2f..%2fsentinel',
  '/stats/%00',
  '/stats/a%00b',
  '/stats/%252e%252e%252fsentinel',
  '/features/..%2F..%2Fsentinel',
  '/features/%2e%2e',
  '/features/.%2e',
  '/reset/..%2F..%2Fsentinel',
  '/reset/%2e%2e',
  '/reset/a%2F..%2F..%2Fsentinel',
];

// Valid ids that differ only by case, by a `_sync`/`_egreedy` suffix or by the escape characters
// of the file layout: each must get state of its own.
const LOOKALIKES = [
  'a',
  'A',
  'a_sync',
  'a_egreedy',
  'a_egreedy_sync',
  'A_SYNC',
  'a:sync',
  'a.sync',
  'a-sync',
  'a__',
  'a_-',
  'a:',
  'u-a',
  'b-a',
  'users',
  'figures',
  'lock',
  'state.json',
  'a'.repeat(128),
  'A'.repeat(128),
  `${'A'.repeat(127)}a`,
  `${'a'.repeat(127)}A`,
  'Ab'.repeat(64),
];

interface Entry {
  size: number;
  mtimeMs: number;
}

/** Every file and directory under `root` but outside `except`, with size and mtime. */
async function snapshot(root: string, except: string): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  const walk = async (dir: string): Promise<void> => {
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      if (path === except) continue;
      const info = await stat(path);
      out.set(relative(root, path), { size: info.size, mtimeMs: info.mtimeMs });
      if (info.isDirectory()) await walk(path);
    }
  };
  await walk(root);
  return out;
}

async function expectRefused(reply: { status: number; body: unknown }, what: string): Promise<void> {
  const body = typeof reply.body === 'string' ? JSON.parse(reply.body) : reply.body;
  expect([404, 422], `${what}: ${reply.status} ${JSON.stringify(body).slice(0, 200)}`).toContain(
    reply.status,
  );
  expect(isErrorShape(body, reply.status), what).toBe(true);
}

describe.each(['file', 'redis'] as const)('hostile and look-alike user ids [%s store]', (kind) => {
  let parent: string;
  let stateDir: string;
  let redis: RedisServer | undefined;
  let store: StateStore;
  let app: TestApp;
  let before: Map<string, Entry>;

  beforeAll(async () => {
    // STATE_DIR and, beside it, a sentinel directory that traversal would reach.
    parent = await mkdtemp(join(tmpdir(), 'oo-hostile-ids-'));
    stateDir = join(parent, 'state');
    await mkdir(join(parent, 'sentinel', 'victim'), { recursive: true });
    await writeFile(join(parent, 'sentinel', 'victim', 'state.json'), '{"sentinel":true}');
    await writeFile(join(parent, 'sentinel.json'), '{"sentinel":true}');
    await writeFile(join(parent, 'state_sync.json'), '{"sentinel":true}');
    if (kind === 'redis') {
      redis = await startRedisServer();
      store = createRedisStore({ url: redis.url, keyPrefix: 'ids:' });
    } else {
      store = createFileStore({ dir: stateDir });
    }
    app = await startTestApp({ store, env: { ADMIN_TOKEN: TOKEN } });
    // Old enough that a write in this second would show as a different mtime.
    await new Promise((resolve) => setTimeout(resolve, 20));
    before = await snapshot(parent, stateDir);
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await redis?.close();
    await rm(parent, { recursive: true, force: true });
  });

  it.each(HOSTILE_IDS.map((id) => [JSON.stringify(id).slice(0, 40), id]))(
    'refuses %s on every endpoint that takes a user id',
    async (_label, id) => {
      const segment = encodeURIComponent(id);
      const replies = [
        await post(app.url, '/score', scoreBody(id)),
        await post(app.url, '/score/egreedy', scoreBody(id)),
        await post(app.url, '/reward', { user_id: id, reward: 1, features: [0, 0, 0, 0, 0] }),
        await post(app.url, '/reward/egreedy/v2', {
          user_id: id,
          reward: 1,
          features: new Array(12).fill(0),
        }),
        await post(app.url, '/generate', { user_id: id, tasks: [{ id: 't', title: 'x' }] }),
        await get(app.url, `/stats/${segment}`),
        await get(app.url, `/stats/egreedy/v2/${segment}`),
        await get(app.url, `/features/${segment}`),
        await post(app.url, `/reset/${segment}`, undefined, ADMIN),
      ];
      for (const [i, reply] of replies.entries()) await expectRefused(reply, `request ${i}`);
    },
  );

  it.each(RAW_PATHS)('refuses the raw path %s', async (path) => {
    const method = path.startsWith('/reset/') ? 'POST' : 'GET';
    const reply = await rawRequest(app.url, method, path, undefined, method === 'POST' ? ADMIN : {});
    await expectRefused(reply, path);
  });

  it('gives every look-alike id state of its own, and resetting one leaves the others', async () => {
    // User i is scored i+1 times and rewarded once with (i+1)/100: merged state would show merged
    // counts and sums.
    for (const [i, id] of LOOKALIKES.entries()) {
      for (let k = 0; k <= i; k++) {
        expect((await post(app.url, '/score', scoreBody(id, 2))).status, id).toBe(200);
      }
      const reward = { user_id: id, reward: (i + 1) / 100, features: new Array(7).fill(0.1) };
      expect((await post(app.url, '/reward/egreedy', reward)).status, id).toBe(200);
    }
    // The sync record of `a` is not user `a_sync`'s anything, and the other way round.
    await store.updateSync('a', () => ({
      result: undefined,
      state: {
        v: 1,
        last_sync_ts: '2025-03-01T00:00:00Z',
        task_count: 3,
        event_ids: ['e-a'],
        updated_at: '2025-03-01T00:00:00Z',
      },
    }));
    expect(await store.readSync('a_sync')).toBeNull();
    expect(await store.readSync('A')).toBeNull();

    const check = async (skip: string | undefined) => {
      for (const [i, id] of LOOKALIKES.entries()) {
        const segment = encodeURIComponent(id);
        const expected = id === skip ? 0 : i + 1;
        expect((await get(app.url, `/stats/${segment}`)).body, id).toMatchObject({
          user_id: id,
          n_scores: expected,
        });
        expect((await get(app.url, `/stats/egreedy/${segment}`)).body, id).toMatchObject(
          id === skip ? { n_rewards: 0, reward_sum: 0 } : { n_rewards: 1, reward_sum: (i + 1) / 100 },
        );
        const log = (await get(app.url, `/features/${segment}`)).body as unknown[];
        expect(log, id).toHaveLength(expected);
      }
    };
    await check(undefined);
    expect((await post(app.url, `/reset/${encodeURIComponent('A')}`, undefined, ADMIN)).status).toBe(200);
    await check('A');
    expect(await store.readSync('a')).toMatchObject({ event_ids: ['e-a'] });

    if (kind === 'file') {
      // One directory per user that has state, each decoding to exactly its id.
      const dirs = await readdir(join(stateDir, 'users'));
      const owners = dirs.map((name) => parseRecordDirName(name));
      expect(new Set(owners)).toEqual(new Set(LOOKALIKES.filter((id) => id !== 'A')));
      expect(dirs).toHaveLength(LOOKALIKES.length - 1);
      expect((await readdir(stateDir)).sort()).toEqual(['users']);
    } else {
      const client = new Redis(redis!.url);
      try {
        const keys = await client.keys('ids:*');
        const owners = keys.map((key) => /^ids:\{([^}]*)\}:(state|sync)$/.exec(key)?.[1]);
        expect(owners).not.toContain(undefined);
        expect(new Set(owners)).toEqual(new Set(LOOKALIKES.filter((id) => id !== 'A')));
      } finally {
        client.disconnect();
      }
    }
  });

  it('touched nothing outside STATE_DIR', async () => {
    expect(await snapshot(parent, stateDir)).toEqual(before);
  });
});
