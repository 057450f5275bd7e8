import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NOW, scoreBody } from '../testing/bodies.js';
import { parseExport, playEgreedy, runOpeCli } from '../testing/decision-log.js';
import { call, post } from '../testing/http.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import {
  createStoreFixture,
  STORE_KINDS,
  type StoreFixture,
  type TestStore,
} from '../testing/test-stores.js';

const TOKEN = 'ope-admin-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const USERS = ['ope-a', 'ope-b', 'ope-c'];
const ROUNDS = 16;

describe.each(STORE_KINDS)('POST /admin/ope [%s store]', (kind) => {
  let fixture: StoreFixture;
  let backing: TestStore;
  let app: TestApp;

  beforeAll(async () => {
    fixture = await createStoreFixture(kind);
    backing = await fixture.create();
    app = await startTestApp({
      store: backing.store,
      env: {
        ADMIN_TOKEN: TOKEN,
        DECISION_LOG_CANDIDATES: '1',
        EGREEDY_EPSILON: '0.5',
        MAX_BODY_BYTES: '4096',
      },
      clock: () => new Date(NOW),
    });
    for (const [i, user] of USERS.entries()) {
      await playEgreedy(app.url, user, ROUNDS, { start: Date.parse(NOW) + i * 3_600_000 });
    }
  });
  afterAll(async () => {
    await app?.close();
    await fixture?.close();
  });

  const exported = async (query = '') => {
    const res = await fetch(new URL(`/admin/decisions${query}`, app.url), { headers: AUTH });
    expect(res.status).toBe(200);
    return res.text();
  };
  const ope = (body: unknown, headers: Record<string, string> = AUTH) =>
    post(app.url, '/admin/ope', body, headers);

  it('answers for every user exactly what pnpm ope --json prints for the exported log', async () => {
    const log = await exported();
    expect(parseExport(log)).toHaveLength(USERS.length * ROUNDS);
    const res = await ope({});
    expect(res.status).toBe(200);
    const cli = await runOpeCli(log, ['--json']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(res.body).toEqual({ ...JSON.parse(cli.stdout), file: 'GET /admin/decisions' });
    const [group] = res.body.groups;
    expect(group).toMatchObject({
      policy: 'egreedy-v1',
      users: 3,
      decisions: USERS.length * ROUNDS,
      skipped: null,
    });
    expect(group.label).toBe('egreedy-v1@1.0.0 ε=0.5 γ=1 λ=1');
    expect(group.targets.map((target: { target: string }) => target.target)).toEqual([
      'uniform',
      'egreedy ε=0.05',
      'egreedy ε=0.1',
      'egreedy ε=0.2',
      'greedy',
      'linucb α=1',
    ]);
  });

  it('answers for one user with the CLI options in snake_case, as the CLI does with the same flags', async () => {
    const log = await exported('?user_id=ope-b');
    const body = {
      user_id: 'ope-b',
      targets: ['uniform', 'egreedy', 'linucb'],
      epsilons: [0.3],
      alpha: 0.5,
      model: 'pooled',
      lambda: 2,
      fit_fraction: 0.25,
      clip: 20,
      folds: 3,
      policy: 'egreedy-v1',
    };
    const res = await ope(body);
    expect(res.status).toBe(200);
    const cli = await runOpeCli(log, [
      '--json',
      '--user=ope-b',
      '--targets=uniform,egreedy,linucb',
      '--epsilons=0.3',
      '--alpha=0.5',
      '--model=pooled',
      '--lambda=2',
      '--fit-fraction=0.25',
      '--clip=20',
      '--folds=3',
      '--policy=egreedy-v1',
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(res.body).toEqual({ ...JSON.parse(cli.stdout), file: 'GET /admin/decisions?user_id=ope-b' });
    expect(res.body.groups[0].users).toBe(1);
    expect(res.body.settings).toMatchObject({ user: 'ope-b', model: 'pooled', clip: 20, folds: 3 });
  });

  it.each([
    ['an unknown target', { targets: ['oracle'] }, 'targets.0'],
    ['ε above 1', { epsilons: [0.1, 2] }, 'epsilons.1'],
    ['one fold', { folds: 1 }, 'folds'],
    ['fit_fraction = 1', { fit_fraction: 1 }, 'fit_fraction'],
    ['a negative clip', { clip: -1 }, 'clip'],
    ['an unknown model', { model: 'global' }, 'model'],
    ['an unknown option', { seed: 7 }, 'body'],
    ['a bad user id', { user_id: '../x' }, 'user_id'],
  ])('refuses %s with 422 naming the field', async (_label, body, path) => {
    const res = await ope(body);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details[0].path).toBe(path);
  });

  it('refuses a log over max_decisions (422 on max_decisions) and takes one within it', async () => {
    const over = await ope({ max_decisions: USERS.length * ROUNDS - 1 });
    expect(over.status).toBe(422);
    expect(over.body.error.details[0]).toMatchObject({ path: 'max_decisions' });
    expect(over.body.error.message).toMatch(/more than 47 decisions/);
    expect((await ope({ max_decisions: USERS.length * ROUNDS })).status).toBe(200);
    expect((await ope({ user_id: 'ope-a', max_decisions: ROUNDS })).status).toBe(200);
  });

  it('answers 422 on user_id for a user with nothing to evaluate, and on policy for a policy with none', async () => {
    const none = await ope({ user_id: 'never-seen' });
    expect(none.status).toBe(422);
    expect(none.body.error.details[0]).toMatchObject({ path: 'user_id' });
    expect(none.body.error.message).toMatch(/nothing to evaluate/);
    const other = await ope({ policy: 'linucb-v1' });
    expect(other.status).toBe(422);
    expect(other.body.error.details[0]).toMatchObject({ path: 'policy' });
  });

  it('authenticates first and keeps the JSON body rules of every route', async () => {
    expect((await ope({})).status).toBe(200);
    const anonymous = await ope({ folds: 1 }, {});
    expect(anonymous.status).toBe(401);
    expect((await ope({}, { authorization: 'Bearer wrong' })).status).toBe(403);
    expect(
      (await call(app.url, 'POST', '/admin/ope', 'folds=3', { ...AUTH, 'content-type': 'text/plain' }))
        .status,
    ).toBe(415);
    expect((await call(app.url, 'POST', '/admin/ope', '{"folds":', AUTH)).status).toBe(400);
    const big = await ope({ epsilons: Array.from({ length: 2000 }, (_, i) => i / 2000) });
    expect(big.status).toBe(413);
  });
});

// Enough decisions for the estimation to take a noticeable time (hundreds of ms; 2,000 decisions
// of 10 candidates took 0.66 s): what must no longer hold the scoring requests of its process.
const BUSY_USERS = Array.from({ length: 20 }, (_, i) => `ope-load-${i}`);
const BUSY_ROUNDS = 100;

describe('POST /admin/ope runs off the event loop', () => {
  let fixture: StoreFixture;
  let backing: TestStore;
  let app: TestApp;

  beforeAll(async () => {
    fixture = await createStoreFixture('file');
    backing = await fixture.create();
    app = await startTestApp({
      store: backing.store,
      env: { ADMIN_TOKEN: TOKEN, DECISION_LOG_CANDIDATES: '1', EGREEDY_EPSILON: '0.5' },
      clock: () => new Date(NOW),
    });
    await Promise.all(
      BUSY_USERS.map((user, i) =>
        playEgreedy(app.url, user, BUSY_ROUNDS, { start: Date.parse(NOW) + i * 60_000, candidates: 10 }),
      ),
    );
  });
  afterAll(async () => {
    await app?.close();
    await fixture?.close();
  });

  const ope = (body: unknown) => post(app.url, '/admin/ope', body, AUTH);
  const logRead = () =>
    app.logs.lines.filter((line) => line.msg === 'decision log read; estimating off-policy');

  /**
   * Starts an evaluation of every user and resolves once its log is read, i.e. once only the
   * estimation is left; `settled()` tells whether its answer has arrived.
   */
  async function startEvaluation(body: Record<string, unknown> = {}) {
    const before = logRead().length;
    let settled = false;
    const response = ope(body).finally(() => {
      settled = true;
    });
    await vi.waitFor(() => expect(logRead().length).toBe(before + 1), { timeout: 20_000, interval: 2 });
    return { response, settled: () => settled };
  }

  it('answers scoring requests while it estimates, and still answers what pnpm ope --json prints', async () => {
    const res = await fetch(new URL('/admin/decisions', app.url), { headers: AUTH });
    const log = await res.text();
    expect(parseExport(log)).toHaveLength(BUSY_USERS.length * BUSY_ROUNDS);

    const evaluation = await startEvaluation();
    expect(logRead().at(-1)).toMatchObject({ decisions: BUSY_USERS.length * BUSY_ROUNDS });
    // The log is read: these decisions (of a user of their own) cannot change the evaluation.
    for (let i = 0; i < 5; i++) {
      const scored = await post(app.url, '/score/egreedy', scoreBody('ope-bystander', 10));
      expect(scored.status).toBe(200);
      expect(evaluation.settled()).toBe(false);
    }

    const evaluated = await evaluation.response;
    expect(evaluated.status).toBe(200);
    const cli = await runOpeCli(log, ['--json']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(evaluated.body).toEqual({ ...JSON.parse(cli.stdout), file: 'GET /admin/decisions' });
  });

  it('refuses a second evaluation while one runs (503 ope_busy with Retry-After), then takes the next', async () => {
    // Every user again, the bystander's decisions of the test above included.
    const first = await startEvaluation({ max_decisions: 10_000 });
    const second = await ope({ user_id: BUSY_USERS[0] });
    expect(first.settled()).toBe(false);
    expect(second.status).toBe(503);
    expect(second.body.error).toMatchObject({ code: 'service_busy', details: { reason: 'ope_busy' } });
    expect(second.body.error.message).toMatch(/already running/);
    expect(second.headers.get('retry-after')).toMatch(/^\d+$/);

    expect((await first.response).status).toBe(200);
    expect((await ope({ user_id: BUSY_USERS[0] })).status).toBe(200);
  });
});
