import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, post } from '../testing/http.js';
import { isErrorShape } from '../testing/load.js';
import { spawnService } from '../testing/spawn-service.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import { createStoreFixture, type StoreFixture } from '../testing/test-stores.js';

const TOKEN = 'adm-7Qz2-secret-token-value-0042';
// The scheme is case-insensitive (RFC 9110 §11.1), the token is not.
const isValid = (header: string) => /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header)?.[1] === TOKEN;

const printable = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });

// Presented credentials: near misses of the token (every length around it, one character off,
// case changed), other schemes and arbitrary header text.
const authorization = fc.oneof(
  fc.constant(`Bearer ${TOKEN}`),
  fc.constantFrom(
    `bearer ${TOKEN}`,
    `BEARER\t${TOKEN} `,
    `Bearer  ${TOKEN}`,
    `Bearer ${TOKEN.toUpperCase()}`,
  ),
  fc.nat({ max: TOKEN.length * 2 }).map((n) => `Bearer ${TOKEN.repeat(2).slice(0, n)}`),
  fc
    .tuple(fc.nat({ max: TOKEN.length - 1 }), fc.integer({ min: 0x21, max: 0x7e }))
    .map(([i, c]) => `Bearer ${TOKEN.slice(0, i)}${String.fromCharCode(c)}${TOKEN.slice(i + 1)}`),
  printable(64).map((value) => `Bearer ${value}`),
  printable(8_000).map((value) => `Bearer ${value}`),
  fc.constantFrom(`Basic ${TOKEN}`, TOKEN, `Token ${TOKEN}`, `Bearer ${TOKEN},Bearer ${TOKEN}`),
  printable(200),
);

describe('admin authentication of POST /reset', () => {
  let fixture: StoreFixture;
  let app: TestApp;

  beforeAll(async () => {
    fixture = await createStoreFixture('file');
    app = await startTestApp({ store: (await fixture.create()).store, env: { ADMIN_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await app?.close();
    await fixture?.close();
  });

  it('lets only the exact bearer token in; anything else is 401/403 in the error shape, never a 5xx', async () => {
    // Tokens of every length are compared without error: both sides are hashed to 32-byte
    // SHA-256 digests before timingSafeEqual (which throws on inputs of different lengths).
    await fc.assert(
      fc.asyncProperty(authorization, async (header) => {
        const reply = await post(app.url, '/reset/auth-fuzz', undefined, { authorization: header });
        if (isValid(header)) {
          expect(reply.status, header).toBe(200);
          return;
        }
        expect([401, 403], header).toContain(reply.status);
        expect(isErrorShape(reply.body, reply.status)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe('the admin token never reaches the logs (dist/main.js at LOG_LEVEL=trace)', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oo-admin-logs-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('whether it is right, wrong, a prefix of the real one, or sent where it does not belong', async () => {
    const service = await spawnService({ env: { STATE_DIR: dir, ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'trace' } });
    const guesses = [`${TOKEN.slice(0, 20)}`, 'guess-9d1f7a', `${TOKEN}-extended`];
    try {
      expect(
        (await post(service.url, '/reset/logged-user', undefined, { authorization: `Bearer ${TOKEN}` }))
          .status,
      ).toBe(200);
      for (const guess of guesses) {
        expect(
          (await post(service.url, '/reset/logged-user', undefined, { authorization: `Bearer ${guess}` }))
            .status,
        ).toBe(403);
      }
      // The right token with an invalid id, in other headers, in the query string.
      expect(
        (await post(service.url, '/reset/..%2Fx', undefined, { authorization: `Bearer ${TOKEN}` })).status,
      ).toBe(422);
      await post(service.url, '/reset/logged-user', undefined, {
        'x-api-key': TOKEN,
        cookie: `admin=${TOKEN}`,
      });
      await post(service.url, `/reset/logged-user?token=${TOKEN}`, undefined, {
        authorization: `Basic ${TOKEN}`,
      });
      await post(service.url, '/score', { user_id: 'u', token: TOKEN });
      const metrics = await get(service.url, '/metrics');
      expect(metrics.body).not.toContain(TOKEN);
    } finally {
      expect(await service.stop()).toBe(0);
    }
    const output = `${JSON.stringify(service.lines)}\n${service.stderr()}`;
    expect(service.lines.filter((line) => line.msg === 'request').length).toBeGreaterThanOrEqual(9);
    expect(output).not.toContain(TOKEN);
    expect(output).not.toContain(TOKEN.slice(0, 20));
    for (const guess of guesses) expect(output).not.toContain(guess);
  });
});
