import { createServer } from 'node:net';
import { serve } from '@hono/node-server';
import { createRegistryProxy } from '@oo/client';
import { AgentManifest, AgentRegistryResponse } from '@oo/contracts';
import { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as taskNudge from '../agents/task-nudge.js';
import * as tipGenerator from '../agents/tip-generator.js';
import { get } from '../testing/http.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import { createStoreFixture, type StoreFixture } from '../testing/test-stores.js';

let fixture: StoreFixture;
let service: TestApp;

beforeAll(async () => {
  fixture = await createStoreFixture('file');
  service = await startTestApp({ store: (await fixture.create()).store });
});

afterAll(async () => {
  await service?.close();
  await fixture?.close();
});

/** How many requests reached the service's `/agents/registry`, read from its access log. */
const upstreamHits = (app: TestApp) =>
  app.logs.lines.filter((l) => l.msg === 'request' && l.route === '/agents/registry').length;

describe('GET /agents/registry', () => {
  it('lists both agents with the MANIFEST their modules export, in registration order', async () => {
    const res = await get(service.url, '/agents/registry');

    expect(res.status).toBe(200);
    const body = AgentRegistryResponse.parse(res.body);
    expect(body.agents.map((a) => a.manifest)).toEqual([tipGenerator.MANIFEST, taskNudge.MANIFEST]);
    for (const entry of body.agents) {
      expect(AgentManifest.parse(entry.manifest)).toEqual(entry.manifest);
      expect(entry).toMatchObject({ id: entry.manifest.id, version: entry.manifest.version });
    }
    expect(body.agents.find((a) => a.id === 'tip-generator')?.manifest.required_consents).toContain(
      'llm_processing',
    );
  });
});

describe('the @oo/client registry proxy in front of a real serving instance', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  /** The `services/api` side: another Hono service on loopback that mounts the proxy. */
  async function startApi(upstreamUrl: string): Promise<string> {
    const api = new Hono();
    api.get('/api/agents/registry', createRegistryProxy({ upstreamUrl, timeoutMs: 2_000 }));
    const server = serve({ fetch: api.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return `http://127.0.0.1:${address.port}/api/agents/registry`;
  }

  const getJson = async (url: string) => {
    const response = await fetch(url);
    return { status: response.status, body: await response.json() };
  };

  it('answers 100 concurrent requests on a cold cache with one upstream call, then from memory', async () => {
    const store = (await fixture.create()).store;
    const upstream = await startTestApp({ store });
    closers.push(() => upstream.close());
    const api = await startApi(upstream.url);
    const direct = await get(upstream.url, '/agents/registry');
    expect(upstreamHits(upstream)).toBe(1);

    const answers = await Promise.all(Array.from({ length: 100 }, () => getJson(api)));

    expect(upstreamHits(upstream)).toBe(2);
    for (const answer of answers) expect(answer).toEqual({ status: 200, body: direct.body });
    expect(await getJson(api)).toEqual({ status: 200, body: direct.body });
    expect(upstreamHits(upstream)).toBe(2);
  });

  it('answers 502 while the service is down, caches nothing, and recovers on the next request', async () => {
    const port = await freePort();
    const api = await startApi(`http://127.0.0.1:${port}`);

    const down = await getJson(api);
    expect(down.status).toBe(502);
    expect(down.body).toMatchObject({
      error: { code: 'upstream_error', details: { reason: 'upstream_unreachable' } },
    });

    const store = (await fixture.create()).store;
    const upstream = await startTestApp({ store, port });
    closers.push(() => upstream.close());

    const up = await getJson(api);
    expect(up.status).toBe(200);
    expect(AgentRegistryResponse.parse(up.body).agents.map((a) => a.id)).toEqual([
      'tip-generator',
      'task-nudge',
    ]);
    expect(upstreamHits(upstream)).toBe(1);
  });
});

/** A port nothing listens on (bound, read, released). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
