import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY } from './testing/fixtures.js';
import { type RunningServer, serveOnLoopback } from './testing/serve.js';

// What consumers get: the built files, loaded the way Node loads them (turbo builds before test).
const PUBLIC_API = [
  'OoApiError',
  'OoClientError',
  'OoInvalidArgumentError',
  'OoInvalidResponseError',
  'OoNetworkError',
  'OoTimeoutError',
  'POLICY_PATHS',
  'createOoClient',
  'createRegistryCache',
  'createRegistryProxy',
];

type Built = typeof import('./index.js');

let upstream: RunningServer;
beforeAll(async () => {
  const app = new Hono();
  app.get('/agents/registry', (c) => c.json(REGISTRY));
  upstream = await serveOnLoopback(app);
});
afterAll(async () => {
  await upstream.close();
});

describe('the built package', () => {
  const loaders: Array<[string, () => Promise<Built>]> = [
    ['ESM', () => import(new URL('../dist/index.js', import.meta.url).href) as Promise<Built>],
    ['CJS', async () => createRequire(import.meta.url)('../dist/index.cjs') as Built],
  ];

  it.each(loaders)(
    'exports the public API as %s and works against a live upstream',
    async (_format, load) => {
      const built = await load();

      expect(Object.keys(built).sort()).toEqual(PUBLIC_API);
      const client = built.createOoClient({ baseUrl: upstream.url });
      expect(await client.agentsRegistry()).toEqual(REGISTRY);
      await expect(client.stats('linucb-v1', '..')).rejects.toBeInstanceOf(built.OoInvalidArgumentError);
    },
  );

  it('ships type declarations for both formats and keeps hono out of the runtime code', async () => {
    for (const file of ['index.d.ts', 'index.d.cts']) {
      expect(await readFile(new URL(`../dist/${file}`, import.meta.url), 'utf8')).toContain(
        'createRegistryProxy',
      );
    }
    for (const file of ['index.js', 'index.cjs']) {
      expect(await readFile(new URL(`../dist/${file}`, import.meta.url), 'utf8')).not.toMatch(
        /from ["']hono|require\(["']hono/,
      );
    }
  });
});
