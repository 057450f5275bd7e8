import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StateStore } from '@oo/state';
import { createFileStore, parseRecordDirName } from '@oo/state/file';
import { createRedisStore } from '@oo/state/redis';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { scoreBody } from '../testing/bodies.js';
import { get } from '../testing/http.js';
import { type LoadRequest, startLoad } from '../testing/load.js';
import { type ServiceProcess, spawnService } from '../testing/spawn-service.js';
import { createStoreFixture, STORE_KINDS, type StoreFixture } from '../testing/test-stores.js';

const KILLS = 5;
const USERS = 6;
const CONCURRENCY = 8;
// The kill lands at a random instant of this window after the service is up, under full load.
const KILL_AFTER_MS = [300, 900] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The policies whose `n_rewards` the test totals, and the reward route of each. */
const REWARD_ROUTES = { 'linucb-v1': '/reward', 'egreedy-v1': '/reward/egreedy' } as const;
const STATS_ROUTES = { 'linucb-v1': '/stats', 'egreedy-v1': '/stats/egreedy' } as const;
type Policy = keyof typeof REWARD_ROUTES;

interface Tagged extends LoadRequest {
  tag: `score` | `reward:${Policy}`;
}

describe.each(STORE_KINDS)('serving SIGKILLed under load [%s store]', (kind) => {
  let fixture: StoreFixture;
  let service: ServiceProcess | undefined;

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await fixture?.close();
  });

  it(`${KILLS} kills: every record parses, it restarts and answers, and no acknowledged reward is lost`, async () => {
    fixture = await createStoreFixture(kind);
    const { env } = await fixture.create();
    // Decision ids of acknowledged scores, per user: later requests reward them by decision_id.
    const decisions = new Map<string, string[]>();
    let random = 0x2545f491;
    const next = () => {
      random = (Math.imul(random, 1103515245) + 12345) >>> 0;
      return random / 2 ** 32;
    };
    const request = (seq: number): Tagged => {
      const user = `crash-${kind}-${seq % USERS}`;
      const roll = next();
      if (roll < 0.3)
        return { tag: 'score', user, path: '/score', body: scoreBody(user, 3, { now: undefined }) };
      const known = decisions.get(user) ?? [];
      if (roll < 0.45 && known.length > 0) {
        const decision_id = known[Math.floor(next() * known.length)]!;
        return {
          tag: 'reward:linucb-v1',
          user,
          path: '/reward',
          body: { user_id: user, reward: 1, decision_id },
        };
      }
      const policy: Policy = roll < 0.7 ? 'linucb-v1' : 'egreedy-v1';
      const d = policy === 'linucb-v1' ? 5 : 7;
      return {
        tag: `reward:${policy}`,
        user,
        path: REWARD_ROUTES[policy],
        body: { user_id: user, reward: roll < 0.85 ? 1 : -0.5, features: new Array(d).fill(0.25) },
      };
    };

    service = await spawnService({ env });
    const load = startLoad({
      url: () => service!.url,
      concurrency: CONCURRENCY,
      next: request,
      pauseAfterFailureMs: 50,
    });
    // Follows the outcomes as they come in, so later requests can reward acknowledged decisions.
    let watched = 0;
    const watch = setInterval(() => {
      for (; watched < load.outcomes.length; watched++) {
        const o = load.outcomes[watched]!;
        const body = o.response as { decision_id?: string };
        if (o.tag === 'score' && o.status === 200 && body.decision_id) {
          decisions.set(o.user, [...(decisions.get(o.user) ?? []), body.decision_id]);
        }
      }
    }, 5);

    const restarts: { listening_ms: number; first_200_ms: number }[] = [];
    for (let k = 0; k < KILLS; k++) {
      await sleep(KILL_AFTER_MS[0] + next() * (KILL_AFTER_MS[1] - KILL_AFTER_MS[0]));
      service.child.kill('SIGKILL');
      await service.exited;
      const restartedAt = performance.now();
      service = await spawnService({ env });
      const listeningMs = performance.now() - restartedAt;
      expect((await get(service.url, '/health')).status).toBe(200);
      restarts.push({
        listening_ms: Math.round(listeningMs),
        first_200_ms: Math.round(performance.now() - restartedAt),
      });
    }
    await sleep(500);
    const outcomes = await load.stop();
    clearInterval(watch);

    // Every request either got an answer or lost its connection to a kill; no answer is a 5xx.
    const statuses = new Map<string, number>();
    for (const o of outcomes) {
      const key = o.status === null ? `no response (${o.error})` : String(o.status);
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
    expect(outcomes.filter((o) => o.status !== null && o.status !== 200)).toEqual([]);

    // The restarted service answers for every user, and every record it reads back parses.
    const check = await openCheckStore(kind, env);
    try {
      const users = Array.from({ length: USERS }, (_, u) => `crash-${kind}-${u}`);
      for (const user of users) {
        const mine = outcomes.filter((o) => o.user === user);
        await expect(check.store.readUser(user)).resolves.toMatchObject({ user_id: user });
        for (const policy of Object.keys(REWARD_ROUTES) as Policy[]) {
          const rewards = mine.filter((o) => o.tag === `reward:${policy}`);
          const acked = rewards.filter(
            (o) => o.status === 200 && !(o.response as { duplicate: boolean }).duplicate,
          ).length;
          const duplicates = rewards.filter(
            (o) => o.status === 200 && (o.response as { duplicate: boolean }).duplicate,
          ).length;
          const stats = await get(service.url, `${STATS_ROUTES[policy]}/${user}`);
          expect(stats.status).toBe(200);
          // At least every acknowledged reward, at most every reward sent (less those answered
          // as duplicates, which by definition changed nothing).
          expect(stats.body.n_rewards, `${user} ${policy}`).toBeGreaterThanOrEqual(acked);
          expect(stats.body.n_rewards, `${user} ${policy}`).toBeLessThanOrEqual(rewards.length - duplicates);
        }
        const scores = mine.filter((o) => o.tag === 'score');
        const nScores = (await get(service.url, `/stats/${user}`)).body.n_scores;
        expect(nScores).toBeGreaterThanOrEqual(scores.filter((o) => o.status === 200).length);
        expect(nScores).toBeLessThanOrEqual(scores.length);
      }
      const records = await check.parseEveryRecord();
      expect(records.unparseable).toEqual([]);
      expect(records.parsed).toBeGreaterThanOrEqual(USERS);

      const lost = outcomes.filter((o) => o.status === null && o.error !== 'ECONNREFUSED');
      console.info(
        JSON.stringify({
          fault: 'crash-under-load',
          store: kind,
          kills: KILLS,
          requests_sent: outcomes.length,
          acknowledged_200: outcomes.filter((o) => o.status === 200).length,
          reward_requests: outcomes.filter((o) => o.tag.startsWith('reward')).length,
          rewards_acknowledged: outcomes.filter((o) => o.tag.startsWith('reward') && o.status === 200).length,
          connection_lost_in_flight: lost.length,
          refused_while_down: outcomes.filter((o) => o.error === 'ECONNREFUSED').length,
          acknowledged_lost: 0,
          statuses: Object.fromEntries(statuses),
          records_parsed: records.parsed,
          temp_files_left: records.tempFiles,
          restarts,
        }),
      );
    } finally {
      await check.close();
    }
  });
});

interface CheckStore {
  store: StateStore;
  /** Reads every record the service wrote, raw, and parses it as JSON. */
  parseEveryRecord(): Promise<{ parsed: number; unparseable: string[]; tempFiles: number }>;
  close(): Promise<void>;
}

/** A store over the service's data (the children use the default Redis key prefix). */
async function openCheckStore(kind: string, env: Record<string, string>): Promise<CheckStore> {
  if (kind === 'redis') {
    const store = createRedisStore({ url: env.REDIS_URL! });
    const client = new Redis(env.REDIS_URL!);
    return {
      store,
      async parseEveryRecord() {
        const keys = await client.keys('oo:*');
        const unparseable: string[] = [];
        for (const key of keys) {
          const raw = await client.get(key);
          try {
            JSON.parse(raw ?? '');
          } catch {
            unparseable.push(key);
          }
        }
        return { parsed: keys.length - unparseable.length, unparseable, tempFiles: 0 };
      },
      async close() {
        client.disconnect();
        await store.close();
      },
    };
  }
  const dir = env.STATE_DIR!;
  const store = createFileStore({ dir });
  return {
    store,
    async parseEveryRecord() {
      const unparseable: string[] = [];
      let parsed = 0;
      let tempFiles = 0;
      for (const entry of await readdir(join(dir, 'users'))) {
        expect(parseRecordDirName(entry), entry).not.toBeNull();
        for (const name of await readdir(join(dir, 'users', entry))) {
          if (name.endsWith('.tmp')) tempFiles++;
          if (!name.endsWith('.json')) continue;
          try {
            JSON.parse(await readFile(join(dir, 'users', entry, name), 'utf8'));
            parsed++;
          } catch {
            unparseable.push(`${entry}/${name}`);
          }
        }
      }
      return { parsed, unparseable, tempFiles };
    },
    close: () => store.close(),
  };
}
