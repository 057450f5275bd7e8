import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOoClient, type OoClient } from './client.js';
import {
  OoApiError,
  OoClientError,
  OoInvalidArgumentError,
  OoInvalidResponseError,
  OoNetworkError,
  OoTimeoutError,
} from './errors.js';
import { REGISTRY } from './testing/fixtures.js';
import { closedPortUrl, type RunningServer, serveOnLoopback } from './testing/serve.js';

interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

const SCORE = {
  decision_id: '0b8f7d52-6f1e-4c3a-9d2e-5a7c1f0e9b41',
  policy: 'egreedy-v1',
  policy_version: '1.0.0',
  chosen_id: 'c1',
  propensity: 0.95,
  explored: false,
  expires_at: '2025-03-04T08:15:00.000Z',
  scores: [{ id: 'c1', score: 0.2, expected_reward: 0.2, exploration_bonus: 0 }],
};
const HEALTH_DOWN = {
  ok: false,
  state: { backend: 'redis', ok: false },
  nats: {
    enabled: false,
    consumers: {
      signals: { last_msg_ts: null, processed: 0, errors: 0 },
      feedback: { last_msg_ts: null, processed: 0, errors: 0 },
    },
  },
};
const CANDIDATES = [
  { id: 'c1', task: { due_at: null, created_at: '2025-03-01T00:00:00Z', priority: 2 as const } },
];

// One upstream for the file: each test sets `reply`, the app records what arrived.
let upstream: RunningServer;
let recorded: Recorded[];
let reply: (c: { req: { method: string; path: string } }) => Response | Promise<Response>;
let releaseHanging: () => void = () => {};

beforeAll(async () => {
  const app = new Hono();
  app.all('*', async (c) => {
    const text = await c.req.text();
    recorded.push({
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      headers: Object.fromEntries(c.req.raw.headers),
      body: text ? JSON.parse(text) : undefined,
    });
    return reply(c);
  });
  upstream = await serveOnLoopback(app);
});
afterAll(async () => {
  releaseHanging();
  await upstream.close();
});
beforeEach(() => {
  recorded = [];
  reply = () => Response.json({ error: { code: 'not_found', message: 'unscripted' } }, { status: 404 });
});

function client(overrides: Partial<Parameters<typeof createOoClient>[0]> = {}): OoClient {
  return createOoClient({
    baseUrl: `${upstream.url}/`,
    timeoutMs: 2000,
    headers: { 'x-caller': 'api' },
    ...overrides,
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('createOoClient: requests', () => {
  it.each([
    ['linucb-v1', '/score'],
    ['egreedy-v1', '/score/egreedy'],
  ] as const)('scores with %s at %s, sending JSON and the default headers', async (policy, path) => {
    reply = () => Response.json(SCORE);

    const response = await client().score(policy, { user_id: 'user-42', candidates: CANDIDATES });

    expect(response).toEqual(SCORE);
    expect(recorded).toEqual([
      {
        method: 'POST',
        path,
        headers: expect.objectContaining({
          'content-type': 'application/json',
          accept: 'application/json',
          'x-caller': 'api',
        }),
        body: { user_id: 'user-42', candidates: CANDIDATES },
      },
    ]);
  });

  it('scores egreedy-v2 at /score/egreedy/v2 with the profile features', async () => {
    reply = () => Response.json({ ...SCORE, policy: 'egreedy-v2' });
    const body = { user_id: 'user-42', candidates: CANDIDATES, profile_features: [0.1, 0.2, 0.3, 0.4, 0.5] };

    expect((await client().score('egreedy-v2', body)).policy).toBe('egreedy-v2');
    expect(recorded[0]).toMatchObject({ path: '/score/egreedy/v2', body });
  });

  it('rewards, reads stats and features at the policy paths, encoding the user id', async () => {
    const user = 'auth0:5f@x';
    reply = (c) => {
      if (c.req.path.startsWith('/reward')) {
        return Response.json({ user_id: user, policy: 'egreedy-v2', n_rewards: 1, duplicate: false });
      }
      if (c.req.path.startsWith('/stats')) {
        return Response.json({
          user_id: user,
          policy: 'egreedy-v2',
          d: 2,
          n_scores: 1,
          n_rewards: 1,
          reward_sum: 1,
          mean_reward: 1,
          theta: [0.5, 0],
          updated_at: '2025-03-03T08:15:00Z',
        });
      }
      return Response.json([]);
    };
    const oo = client();

    await oo.reward('egreedy-v2', { user_id: user, reward: 1, decision_id: 'd-1' });
    const stats = await oo.stats('egreedy-v2', user);
    const features = await oo.features(user);

    expect(stats.theta).toEqual([0.5, 0]);
    expect(features).toEqual([]);
    expect(recorded.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /reward/egreedy/v2',
      'GET /stats/egreedy/v2/auth0%3A5f%40x',
      'GET /features/auth0%3A5f%40x',
    ]);
    expect(recorded[1]?.headers['content-type']).toBeUndefined();
  });

  it('resets with the admin bearer token', async () => {
    reply = () => Response.json({ user_id: 'user-42', reset: true });

    expect(await client().reset('user-42', 's3cret')).toEqual({ user_id: 'user-42', reset: true });
    expect(recorded[0]).toMatchObject({ method: 'POST', path: '/reset/user-42' });
    expect(recorded[0]?.headers.authorization).toBe('Bearer s3cret');
  });

  it('returns health for a 503 with ok: false: an unhealthy service is an answer', async () => {
    reply = () => Response.json(HEALTH_DOWN, { status: 503 });

    expect(await client().health()).toEqual(HEALTH_DOWN);
  });

  it('reads the agents registry', async () => {
    reply = () => Response.json(REGISTRY);

    expect(await client().agentsRegistry()).toEqual(REGISTRY);
    expect(recorded[0]).toMatchObject({ method: 'GET', path: '/agents/registry' });
  });

  it('tells generated tips from a silenced answer', async () => {
    const generated = {
      agent: 'tip-generator',
      prompt_version: 'v1',
      model: 'gpt-4o-mini',
      candidates: [{ id: 'tip_1', text: 'Start now.', task_id: 't1', expires_at: '2025-03-03T12:15:00Z' }],
    };
    const silenced = { agent: 'tip-generator', silenced: true, reason: 'focus', candidates: [] };
    const body = {
      user_id: 'user-42',
      tasks: [{ id: 't1', title: 'Write report' }],
      consents: ['llm_processing'],
    };
    reply = () => Response.json(generated);
    expect(await client().generate(body)).toEqual(generated);
    reply = () => Response.json(silenced);
    expect(await client().generate({ ...body, context: 'focus_mode' })).toEqual(silenced);
    expect(recorded.map((r) => r.path)).toEqual(['/generate', '/generate']);
  });
});

describe('createOoClient: errors', () => {
  it('maps the error shape to OoApiError with status, code, message and details', async () => {
    const details = [{ path: 'candidates.0.id', message: 'candidates ids must be unique' }];
    reply = () =>
      Response.json(
        { error: { code: 'validation_failed', message: 'candidates.0.id: …', details } },
        { status: 422 },
      );

    const error = await rejection(
      client().score('egreedy-v1', { user_id: 'user-42', candidates: CANDIDATES }),
    );

    expect(error).toBeInstanceOf(OoApiError);
    expect(error).toBeInstanceOf(OoClientError);
    expect(error).toMatchObject({
      status: 422,
      code: 'validation_failed',
      message: 'candidates.0.id: …',
      details,
    });
  });

  it('maps a forbidden reset to OoApiError 403', async () => {
    reply = () =>
      Response.json(
        { error: { code: 'forbidden', message: 'the admin token is not valid' } },
        { status: 403 },
      );

    expect(await rejection(client().reset('user-42', 'wrong'))).toMatchObject({
      status: 403,
      code: 'forbidden',
    });
  });

  it('rejects a non-2xx that is not the error shape as an invalid response', async () => {
    reply = () =>
      new Response('<html>Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } });

    const error = await rejection(client().health());

    expect(error).toBeInstanceOf(OoInvalidResponseError);
    expect(error).toMatchObject({ status: 502 });
  });

  it('rejects a 2xx body that breaks the contract, naming the path', async () => {
    reply = () => Response.json({ ...SCORE, propensity: 0 });

    const error = await rejection(
      client().score('linucb-v1', { user_id: 'user-42', candidates: CANDIDATES }),
    );

    expect(error).toBeInstanceOf(OoInvalidResponseError);
    expect((error as OoInvalidResponseError).issues).toEqual([expect.stringMatching(/^propensity: /)]);
  });

  it('rejects a 2xx body that is not JSON', async () => {
    reply = () => new Response('ok', { status: 200 });

    expect(await rejection(client().agentsRegistry())).toBeInstanceOf(OoInvalidResponseError);
  });

  it('times out a service that never answers', async () => {
    reply = () =>
      new Promise<Response>((resolve) => {
        releaseHanging = () => resolve(new Response(null, { status: 204 }));
      });
    const started = performance.now();

    const error = await rejection(client({ timeoutMs: 200 }).agentsRegistry());

    expect(error).toBeInstanceOf(OoTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 200 });
    expect(performance.now() - started).toBeLessThan(700);
    releaseHanging();
  });

  it('honours a per-call time-out', async () => {
    reply = () => new Promise<Response>((resolve) => setTimeout(() => resolve(Response.json(REGISTRY)), 300));

    expect(await rejection(client().agentsRegistry({ timeoutMs: 100 }))).toBeInstanceOf(OoTimeoutError);
  });

  it('reports a closed port as OoNetworkError', async () => {
    const error = await rejection(createOoClient({ baseUrl: await closedPortUrl() }).health());

    expect(error).toBeInstanceOf(OoNetworkError);
    expect((error as Error).message).toMatch(/^GET \/health: /);
  });

  it("rethrows the caller's abort reason", async () => {
    reply = () => new Promise<Response>((resolve) => setTimeout(() => resolve(Response.json(REGISTRY)), 300));
    const reason = new Error('navigated away');

    expect(await rejection(client().agentsRegistry({ signal: AbortSignal.abort(reason) }))).toBe(reason);
  });

  it.each(['..', '.hidden', 'a/b', '', 'x'.repeat(129), 'user 42'])(
    'refuses the user id %j before sending anything',
    async (userId) => {
      const oo = client();

      for (const promise of [oo.stats('linucb-v1', userId), oo.features(userId), oo.reset(userId, 't')]) {
        expect(await rejection(promise)).toBeInstanceOf(OoInvalidArgumentError);
      }
      expect(recorded).toEqual([]);
    },
  );

  it('refuses an unknown policy', async () => {
    const error = await rejection(client().stats('linucb-v9' as 'linucb-v1', 'user-42'));

    expect(error).toBeInstanceOf(OoInvalidArgumentError);
    expect(recorded).toEqual([]);
  });
});
