import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, rawRequest } from '../testing/http.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import { createStoreFixture, type StoreFixture } from '../testing/test-stores.js';

const ENDPOINTS = {
  '/score': ['post'],
  '/score/egreedy': ['post'],
  '/score/egreedy/v2': ['post'],
  '/reward': ['post'],
  '/reward/egreedy': ['post'],
  '/reward/egreedy/v2': ['post'],
  '/stats/{user_id}': ['get'],
  '/stats/egreedy/{user_id}': ['get'],
  '/stats/egreedy/v2/{user_id}': ['get'],
  '/features/{user_id}': ['get'],
  '/reset/{user_id}': ['post'],
  '/health': ['get'],
  '/metrics': ['get'],
};

describe('OpenAPI document and /docs', () => {
  let fixture: StoreFixture;
  let app: TestApp;

  beforeAll(async () => {
    fixture = await createStoreFixture('file');
    app = await startTestApp({ store: (await fixture.create()).store });
  });
  afterAll(async () => {
    await app?.close();
    await fixture?.close();
  });

  it('serves an OpenAPI 3.1 document of every endpoint, generated from the contracts', async () => {
    const res = await get(app.url, '/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'oo bandit serving', version: expect.any(String) });
    // Other issues add their own endpoints (/generate, /agents/registry); these are this one's.
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(Object.keys(ENDPOINTS)));
    for (const [path, methods] of Object.entries(ENDPOINTS)) {
      expect(Object.keys(doc.paths[path])).toEqual(methods);
    }
    for (const name of [
      'ScoreRequest',
      'ScoreRequestWithProfile',
      'ScoreResponse',
      'RewardRequest',
      'StatsResponse',
      'ErrorBody',
      'HealthResponse',
    ]) {
      expect(doc.components.schemas).toHaveProperty(name);
    }
    const score = doc.paths['/score'].post;
    expect(score.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ScoreRequest',
    });
    expect(Object.keys(score.responses).sort()).toEqual(['200', '400', '413', '415', '422', '500', '503']);
    expect(score.responses['422'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ErrorBody',
    });
    expect(doc.paths['/score/egreedy/v2'].post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ScoreRequestWithProfile',
    });
    expect(Object.keys(doc.paths['/reward'].post.responses)).toEqual(expect.arrayContaining(['404', '409']));
    expect(doc.paths['/reset/{user_id}'].post.security).toEqual([{ adminToken: [] }]);
    expect(doc.components.securitySchemes.adminToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/health'].get.responses).toHaveProperty('503');
  });

  it('serves the swagger-ui assets itself, and nothing else from that folder', async () => {
    const css = await fetch(new URL('/docs/assets/swagger-ui.css', app.url));
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    for (const path of [
      '/docs/assets/package.json',
      '/docs/assets/..%2Fpackage.json',
      '/docs/assets/index.html',
    ]) {
      expect((await rawRequest(app.url, 'GET', path)).status).toBe(404);
    }
    const page = await fetch(new URL('/docs', app.url));
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('renders in headless Chromium without network access, showing the score endpoint', async () => {
    const profile = await mkdtemp(join(tmpdir(), 'oo-chromium-'));
    try {
      // A persistent context is how playwright takes a fresh --user-data-dir.
      const browser = await chromium.launchPersistentContext(profile, {
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          '--disable-quic',
        ],
      });
      try {
        const page = await browser.newPage();
        const external: string[] = [];
        const failures: string[] = [];
        page.on('request', (request) => {
          if (!request.url().startsWith(app.url)) external.push(request.url());
        });
        page.on('pageerror', (error) => failures.push(error.message));
        await page.goto(`${app.url}/docs`, { waitUntil: 'load' });
        const operation = page.locator('.opblock-summary-path', { hasText: /^\/score$/ });
        await operation.first().waitFor({ timeout: 15_000 });
        expect(await page.locator('.opblock-summary-path').allInnerTexts()).toEqual(
          expect.arrayContaining(['/score', '/reward', '/stats/{user_id}', '/health']),
        );
        expect(await page.title()).toContain('oo bandit serving');
        expect(external).toEqual([]);
        expect(failures).toEqual([]);
      } finally {
        await browser.close();
      }
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  }, 60_000);
});
