// A fixed-rate (open-loop) load generator. Request i is due at t0 + i/rate whatever happened to
// the earlier ones, and its latency is measured from that intended send time (Tene's
// "coordinated omission": a generator that waits for slow responses before sending the next
// request hides exactly the queueing it should measure). autocannon's `overallRate` does not do
// this: it lets each connection send its quota at the start of every second and times requests
// from their actual send, with integer-millisecond histograms.
import { Agent, request } from 'node:http';
import { type Decision, decisionIdOf, type Mix, type MixRequest } from './mix.js';
import { type LatencySummary, summarize } from './percentiles.js';

export interface OpenLoopOptions {
  url: string;
  mix: Mix;
  /** Requests per second, spaced evenly. */
  rate: number;
  durationMs: number;
  /** Most sockets open at once; requests beyond wait for one (and that wait counts). */
  connections: number;
  /** A request not answered within this is counted as an error. */
  timeoutMs: number;
}

export interface OpenLoopResult {
  offered: number;
  /** Completed requests (any status) per second of the run. */
  achieved: number;
  sent: number;
  completed: number;
  ok: number;
  non2xx: number;
  /** Connection errors, resets and time-outs. */
  errors: number;
  statuses: Record<string, number>;
  latency: LatencySummary;
  score: LatencySummary;
  reward: LatencySummary;
  /** How late the generator itself sent requests (its own scheduling delay), ms. */
  sendLag: { p99: number; max: number };
  meanResponseBytes: number;
}

/** Runs the mix at a fixed rate; resolves once every request has an answer or timed out. */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { mix, rate } = options;
  const target = new URL(options.url);
  const agent = new Agent({
    keepAlive: true,
    maxSockets: options.connections,
    // Every open socket takes turns, so the requests spread over all of them (and over every
    // worker of a cluster, which is chosen per connection).
    scheduling: 'fifo',
  });
  const total = Math.max(1, Math.round((rate * options.durationMs) / 1000));
  const intervalMs = 1000 / rate;
  const latencies = new Float64Array(total);
  const kinds = new Uint8Array(total);
  const sendLags = new Float64Array(total);
  const statuses: Record<string, number> = {};
  const decisions: Decision[] = [];
  let sent = 0;
  let completed = 0;
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let bytes = 0;

  const started = performance.now() + 5;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });

  const settle = (i: number, intended: number, status: number | null, body: string, req: MixRequest) => {
    latencies[i] = performance.now() - intended;
    kinds[i] = req.kind === 'score' ? 0 : 1;
    completed++;
    if (status === null) {
      errors++;
      statuses.error = (statuses.error ?? 0) + 1;
    } else {
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) {
        ok++;
        bytes += body.length;
        if (req.kind === 'score') {
          const decisionId = decisionIdOf(body);
          if (decisionId !== undefined) {
            decisions.push({ userId: req.userId, decisionId });
            if (decisions.length > 1_000) decisions.shift();
          }
        }
      } else {
        non2xx++;
      }
    }
    if (completed === total) finish();
  };

  const send = (i: number, intended: number) => {
    const decision = mix.isRewardSlot(i) ? decisions.pop() : undefined;
    const req = decision === undefined ? mix.score() : mix.reward(decision, i);
    sendLags[i] = performance.now() - intended;
    let answered = false;
    const answer = (status: number | null, body: string) => {
      if (answered) return;
      answered = true;
      settle(i, intended, status, body, req);
    };
    const outgoing = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method: 'POST',
        path: req.path,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(req.body) },
        timeout: options.timeoutMs,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => answer(response.statusCode ?? 0, body));
        response.on('error', () => answer(null, ''));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('timed out')));
    outgoing.on('error', () => answer(null, ''));
    outgoing.end(req.body);
  };

  const tick = () => {
    const now = performance.now();
    while (sent < total) {
      const intended = started + sent * intervalMs;
      if (intended > now) break;
      send(sent, intended);
      sent++;
    }
    if (sent < total) setTimeout(tick, Math.max(0, started + sent * intervalMs - performance.now()));
  };
  setTimeout(tick, 5);
  await done;
  const elapsedMs = performance.now() - started;
  agent.destroy();

  const scoreLat: number[] = [];
  const rewardLat: number[] = [];
  for (let i = 0; i < total; i++) (kinds[i] === 0 ? scoreLat : rewardLat).push(latencies[i]!);
  const lag = summarize(Array.from(sendLags));
  return {
    offered: rate,
    achieved: (completed / elapsedMs) * 1000,
    sent,
    completed,
    ok,
    non2xx,
    errors,
    statuses,
    latency: summarize(Array.from(latencies)),
    score: summarize(scoreLat),
    reward: summarize(rewardLat),
    sendLag: { p99: lag.p99, max: lag.max },
    meanResponseBytes: ok === 0 ? 0 : bytes / ok,
  };
}
