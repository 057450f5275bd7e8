// Closed-loop maximum throughput with autocannon: `connections` clients, each sending its next
// request as soon as the previous one is answered. Each connection cycles through the mix (five
// scores, then a reward of one of the decisions those scores made).
import autocannon from 'autocannon';
import { type Decision, decisionIdOf, type Mix } from './mix.js';
import { type LatencySummary, summarize } from './percentiles.js';

export interface ClosedLoopOptions {
  url: string;
  mix: Mix;
  connections: number;
  durationMs: number;
  /** The server's CPU time so far (ms), to report its CPU per request. */
  serverCpuMs?: () => number;
}

export interface ClosedLoopResult {
  /** Responses per second (any status) over the run. */
  throughput: number;
  completed: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Exact percentiles of every response time autocannon reported (its own histogram is 1 ms wide). */
  latency: LatencySummary;
  /**
   * The server's CPU time per response, µs (all its processes). Less sensitive than throughput to
   * other load on a shared machine: it counts what the server did, not how long it waited for a core.
   */
  serverCpuMicros: number;
  meanResponseBytes: number;
}

interface MixContext {
  decisions?: Decision[];
  userId?: string;
}

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const { mix } = options;
  const headers = { 'content-type': 'application/json' };
  const onResponse = (status: number, body: string, context: MixContext) => {
    if (status !== 200 || context.userId === undefined) return;
    const decisionId = decisionIdOf(body);
    if (decisionId === undefined) return;
    context.decisions ??= [];
    context.decisions.push({ userId: context.userId, decisionId });
  };
  const score = {
    method: 'POST',
    headers,
    setupRequest: (req: AutocannonRequest, context: MixContext) => {
      const next = mix.score();
      context.userId = next.userId;
      return { ...req, path: next.path, body: next.body };
    },
    onResponse,
  };
  let slot = 0;
  const reward = {
    method: 'POST',
    headers,
    setupRequest: (req: AutocannonRequest, context: MixContext) => {
      const decision = context.decisions?.pop();
      if (decision === undefined) return score.setupRequest(req, context);
      context.userId = undefined;
      const next = mix.reward(decision, slot++);
      return { ...req, path: next.path, body: next.body };
    },
    onResponse,
  };
  // Five scores then a reward, or scores only (scoresPerReward 0).
  const requests =
    mix.options.scoresPerReward > 0
      ? [...Array.from({ length: mix.options.scoresPerReward }, () => score), reward]
      : [score];

  const latencies: number[] = [];
  const cpuBefore = options.serverCpuMs?.() ?? 0;
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationMs / 1000,
    requests,
    timeout: 10,
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
    latencies.push(ms);
  });
  const result = (await instance) as autocannon.Result;
  const cpuMs = (options.serverCpuMs?.() ?? 0) - cpuBefore;
  const completed = latencies.length;
  const ok = result['2xx'];
  return {
    throughput: completed / (options.durationMs / 1000),
    completed,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latency: summarize(latencies),
    serverCpuMicros:
      options.serverCpuMs === undefined || completed === 0 ? Number.NaN : (cpuMs * 1000) / completed,
    meanResponseBytes: ok === 0 ? 0 : result.throughput.total / completed,
  };
}
