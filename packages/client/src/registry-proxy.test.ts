import { ErrorBody } from '@oo/contracts';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { OoApiError, type OoClientError, OoTimeoutError } from './errors.js';
import { createRegistryCache, createRegistryProxy, type RegistryProxyOptions } from './registry-proxy.js';
import { REGISTRY } from './testing/fixtures.js';
import { closedPortUrl, type RunningServer, serveOnLoopback } from './testing/serve.js';

type Behaviour = 'ok' | 'status-500' | 'html-503' | 'not-json' | 'invalid-payload' | 'hang';

interface Upstream {
  url: string;
  /** Requests that reached `/agents/registry`. */
  hits: () => number;
  behave(...script: Behaviour[]): void;
}

const servers: RunningServer[] = [];
const hanging: Array<() => void> = [];

afterEach(async () => {
  for (const release of hanging.splice(0)) release();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** The service's side: a Hono app serving the registry, counting hits, optionally failing. */
async function startUpstream(delayMs = 0): Promise<Upstream> {
  let hits = 0;
  let script: Behaviour[] = [];
  const app = new Hono();
  app.get('/agents/registry', async (c) => {
    hits++;
    const behaviour = script.shift() ?? 'ok';
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    switch (behaviour) {
      case 'ok':
        return c.json(REGISTRY);
      case 'status-500':
        return c.json({ error: { code: 'internal_error', message: 'internal error' } }, 500);
      case 'html-503':
        return c.html('<h1>Service Unavailable</h1>', 503);
      case 'not-json':
        return c.text('{"agents": [', 200);
      case 'invalid-payload': {
        const [first] = REGISTRY.agents;
        return c.json({ agents: [{ ...first, version: '9.9.9' }] });
      }
      case 'hang':
        return new Promise<Response>((resolve) => hanging.push(() => resolve(c.body(null, 204))));
    }
  });
  const server = await serveOnLoopback(app);
  servers.push(server);
  return { url: server.url, hits: () => hits, behave: (...b) => (script = b) };
}

/** The `services/api` side: another Hono app mounting the proxy, reached over HTTP. */
async function startApi(options: RegistryProxyOptions): Promise<string> {
  const app = new Hono();
  app.get('/api/agents/registry', createRegistryProxy(options));
  const server = await serveOnLoopback(app);
  servers.push(server);
  return `${server.url}/api/agents/registry`;
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

describe('createRegistryProxy', () => {
  it('serves the upstream registry, with 100 concurrent requests on a cold cache costing 1 upstream call', async () => {
    const upstream = await startUpstream(50);
    const api = await startApi({ upstreamUrl: upstream.url });

    const answers = await Promise.all(Array.from({ length: 100 }, () => getJson(api)));

    expect(upstream.hits()).toBe(1);
    for (const answer of answers) expect(answer).toEqual({ status: 200, body: REGISTRY });
  });

  it('serves from memory for ttlMs, then goes upstream again', async () => {
    const upstream = await startUpstream();
    let clock = 1_000_000;
    const api = await startApi({ upstreamUrl: upstream.url, ttlMs: 60_000, now: () => clock });

    await getJson(api);
    clock += 59_999;
    await getJson(api);
    expect(upstream.hits()).toBe(1);

    clock += 1;
    expect(await getJson(api)).toEqual({ status: 200, body: REGISTRY });
    expect(upstream.hits()).toBe(2);
  });

  it.each([
    ['a 500 with the error shape', 'status-500', { reason: 'upstream_status', status: 500 }],
    ['a 503 HTML page', 'html-503', { reason: 'upstream_invalid_response', status: 503 }],
    ['a body that is not JSON', 'not-json', { reason: 'upstream_invalid_response', status: 200 }],
    [
      'a payload that breaks the contract',
      'invalid-payload',
      { reason: 'upstream_invalid_response', status: 200 },
    ],
    ['no answer within the time-out', 'hang', { reason: 'upstream_timeout' }],
  ] as const)('answers %s with a 502 and never caches it', async (_label, behaviour, details) => {
    const upstream = await startUpstream();
    upstream.behave(behaviour);
    const api = await startApi({ upstreamUrl: upstream.url, timeoutMs: 200 });

    const failed = await getJson(api);

    expect(failed.status).toBe(502);
    expect(ErrorBody.parse(failed.body)).toEqual({
      error: { code: 'upstream_error', message: expect.any(String), details },
    });
    expect(upstream.hits()).toBe(1);

    expect(await getJson(api)).toEqual({ status: 200, body: REGISTRY });
    expect(upstream.hits()).toBe(2);
  });

  it('answers 502 when nothing listens upstream, and tries again on the next request', async () => {
    let calls = 0;
    const countingFetch: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const api = await startApi({ upstreamUrl: await closedPortUrl(), fetch: countingFetch });

    for (const expectedCalls of [1, 2]) {
      const answer = await getJson(api);
      expect(answer.status).toBe(502);
      expect(answer.body).toMatchObject({
        error: { code: 'upstream_error', details: { reason: 'upstream_unreachable' } },
      });
      expect(calls).toBe(expectedCalls);
    }
  });

  it('shares one failing upstream call among concurrent misses, then retries', async () => {
    const upstream = await startUpstream(50);
    upstream.behave('status-500');
    const errors: OoClientError[] = [];
    const api = await startApi({ upstreamUrl: upstream.url, onError: (error) => errors.push(error) });

    const answers = await Promise.all(Array.from({ length: 20 }, () => getJson(api)));

    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(502));
    expect(upstream.hits()).toBe(1);
    expect(errors).toHaveLength(20);
    expect(errors[0]).toBeInstanceOf(OoApiError);

    expect((await getJson(api)).status).toBe(200);
    expect(upstream.hits()).toBe(2);
  });
});

describe('createRegistryCache', () => {
  it('returns the validated payload and forgets it on invalidate()', async () => {
    const upstream = await startUpstream();
    const cache = createRegistryCache({ upstreamUrl: upstream.url });

    expect(await cache.get()).toEqual(REGISTRY);
    expect(await cache.get()).toEqual(REGISTRY);
    expect(upstream.hits()).toBe(1);

    cache.invalidate();
    await cache.get();
    expect(upstream.hits()).toBe(2);
  });

  it('rejects with the typed client error', async () => {
    const upstream = await startUpstream();
    upstream.behave('hang');
    const cache = createRegistryCache({ upstreamUrl: upstream.url, timeoutMs: 100 });

    await expect(cache.get()).rejects.toBeInstanceOf(OoTimeoutError);
  });
});
