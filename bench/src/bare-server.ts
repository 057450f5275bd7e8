// The ceiling of issue 7: the same HTTP stack as the service (Hono on @hono/node-server), routes
// with the same paths that parse the same JSON bodies and answer JSON of the same shape and size,
// with no validation, math, state or logging. Run as its own process:
//   node --import tsx src/bare-server.ts <port> [workers]
// With workers > 1 it forks that many processes sharing the port (node:cluster), like the service
// with WEB_CONCURRENCY.
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

interface ScoreBody {
  candidates?: { id?: unknown }[];
}
interface RewardBody {
  user_id?: unknown;
}

// Numbers of the length the real scores have (17 significant digits).
const SCORE = -0.012345678901234567;
const EXPIRES_AT = '2025-01-01T00:10:00.000Z';
const POLICIES: Record<string, string> = {
  '': 'linucb-v1',
  '/egreedy': 'egreedy-v1',
  '/egreedy/v2': 'egreedy-v2',
};

function createBareApp(): Hono {
  const app = new Hono();
  for (const [suffix, policy] of Object.entries(POLICIES)) {
    app.post(`/score${suffix}`, async (c) => {
      const body = (await c.req.json()) as ScoreBody;
      const candidates = body.candidates ?? [];
      return c.json({
        decision_id: randomUUID(),
        policy,
        policy_version: '1.0.0',
        chosen_id: String(candidates[0]?.id ?? ''),
        propensity: 0.91,
        explored: false,
        expires_at: EXPIRES_AT,
        scores: candidates.map((candidate) => ({
          id: String(candidate.id),
          score: SCORE,
          expected_reward: SCORE,
          exploration_bonus: policy === 'linucb-v1' ? 1.2345678901234567 : 0,
        })),
      });
    });
    app.post(`/reward${suffix}`, async (c) => {
      const body = (await c.req.json()) as RewardBody;
      return c.json({ user_id: body.user_id, policy, n_rewards: 12, duplicate: false });
    });
  }
  app.get('/health', (c) => c.json({ ok: true }));
  return app;
}

const port = Number(process.argv[2] ?? 0);
const workers = Number(process.argv[3] ?? 1);
if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    process.exit(0);
  });
} else {
  serve({ fetch: createBareApp().fetch, port, hostname: '127.0.0.1' });
  process.on('SIGTERM', () => process.exit(0));
}
