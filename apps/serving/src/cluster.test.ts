import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreBody } from './testing/bodies.js';
import { get, post } from './testing/http.js';
import { DIST_MAIN, type ServiceProcess, spawnService, startProcess } from './testing/spawn-service.js';
import { createStoreFixture, STORE_KINDS, type StoreFixture } from './testing/test-stores.js';

/** Pids of the processes whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return children.sort((a, b) => a - b);
}

async function eventually(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !condition(); ) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Requests over fresh connections at once, so node:cluster spreads them over the workers. */
const burst = <T>(count: number, send: (i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: count }, (_, i) => send(i)));

const REQUEST_LINE = (line: Record<string, unknown>) => line.msg === 'request';

describe.each(STORE_KINDS)('WEB_CONCURRENCY=2 over one %s store', (kind) => {
  let fixture: StoreFixture;
  let service: ServiceProcess;

  beforeAll(async () => {
    fixture = await createStoreFixture(kind);
    const { env } = await fixture.create();
    service = await spawnService({ env: { ...env, WEB_CONCURRENCY: '2', STATE_LOCK_TIMEOUT_MS: '60000' } });
  });
  afterAll(async () => {
    await service?.stop();
    await fixture?.close();
  });

  it('runs two workers on one port, says listening once both are, and both answer requests', async () => {
    const listening = service.lines.filter((line) => line.msg === 'listening');
    expect(listening).toHaveLength(1);
    expect(listening[0]).toMatchObject({ workers: 2 });
    // Each worker's own line may reach the pipe after the primary's.
    await eventually(() => service.lines.filter((line) => line.msg === 'worker ready').length === 2);
    expect(childrenOf(service.child.pid!)).toHaveLength(2);

    const replies = await burst(40, () => get(service.url, '/stats/someone'));
    expect(replies.every((reply) => reply.status === 200)).toBe(true);
    await eventually(() => new Set(service.lines.filter(REQUEST_LINE).map((line) => line.worker)).size === 2);
  });

  it('loses no reward among 200 sent at once to both workers', async () => {
    const user = `cluster-rewards-${kind}`;
    const replies = await burst(200, (i) =>
      post(service.url, '/reward/egreedy', {
        user_id: user,
        features: [1, 0, 0, 0, 0, 0, 0],
        reward: i % 2 === 0 ? 1 : -1,
      }),
    );
    expect(replies.map((reply) => reply.status)).toEqual(new Array(200).fill(200));
    expect(new Set(replies.map((reply) => reply.body.n_rewards)).size).toBe(200);
    const stats = (await get(service.url, `/stats/egreedy/${user}`)).body;
    expect(stats).toMatchObject({ n_rewards: 200, reward_sum: 0 });
  });

  it('answers /metrics with the counts of both workers, whichever worker is asked', async () => {
    const user = `cluster-metrics-${kind}`;
    await burst(30, () => post(service.url, '/score/egreedy', scoreBody(user, 3, { now: undefined })));
    const answered = new Set(
      service.lines
        .filter((line) => REQUEST_LINE(line) && line.route === '/score/egreedy')
        .map((l) => l.worker),
    );
    expect(answered.size).toBe(2);
    for (const reply of await burst(6, () => get(service.url, '/metrics'))) {
      expect(reply.status).toBe(200);
      const count = /http_requests_total\{method="POST",route="\/score\/egreedy",status="200"\} (\d+)/.exec(
        reply.body as string,
      );
      expect(Number(count?.[1])).toBe(30);
    }
  });
});

describe('WEB_CONCURRENCY=2 processes', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oo-cluster-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replaces a worker that dies and keeps serving; SIGTERM then stops every process with 0', async () => {
    const service = await spawnService({ env: { STATE_DIR: dir, WEB_CONCURRENCY: '2' } });
    try {
      const [first, second] = childrenOf(service.child.pid!);
      process.kill(first!, 'SIGKILL');
      await eventually(() => service.lines.some((line) => line.msg === 'worker exited; starting another'));
      await eventually(() => {
        const now = childrenOf(service.child.pid!);
        return now.length === 2 && !now.includes(first!) && now.includes(second!);
      });
      const replies = await burst(20, () => get(service.url, '/stats/after-crash'));
      expect(replies.every((reply) => reply.status === 200)).toBe(true);
      const workers = childrenOf(service.child.pid!);
      expect(await service.stop('SIGTERM')).toBe(0);
      for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
      expect(service.lines.at(-1)).toMatchObject({ msg: 'stopped', code: 0 });
    } finally {
      await service.stop('SIGKILL');
    }
  });

  it('stops with exit 1 when a worker cannot start, instead of forking it again and again', async () => {
    const started = startProcess(DIST_MAIN, {
      STATE_DIR: dir,
      PORT: '0',
      HOST: '127.0.0.1',
      WEB_CONCURRENCY: '2',
      DEFAULT_PROMPT_VERSION: 'v999',
    });
    expect(await started.exited).toBe(1);
    expect(started.lines.some((line) => line.msg === 'worker failed to start')).toBe(true);
  });
});
