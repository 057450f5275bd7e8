import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreBody } from '../testing/bodies.js';
import { get, post, rawRequest } from '../testing/http.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import { createStoreFixture, STORE_KINDS, type StoreFixture } from '../testing/test-stores.js';
import { isJsonContentType } from './json-body.js';

const MAX = 4096;
const POST_PATHS = [
  '/score',
  '/score/egreedy',
  '/score/egreedy/v2',
  '/reward',
  '/reward/egreedy',
  '/reward/egreedy/v2',
];

describe('isJsonContentType', () => {
  it.each([
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['APPLICATION/JSON', true],
    ['application/vnd.api+json', true],
    ['text/plain', false],
    ['application/jsonx', false],
    ['application/x-www-form-urlencoded', false],
    [undefined, false],
  ])('%s → %s', (type, expected) => {
    expect(isJsonContentType(type)).toBe(expected);
  });
});

/** Sends the head and the first bytes of a body announced as `length` bytes; resolves with the status line. */
function partialUpload(url: string, path: string, length: number): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n{"user_id":`,
      );
    });
    let reply = '';
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.slice(0, reply.indexOf('\r\n')));
      }
    });
    socket.on('error', reject);
    socket.setTimeout(5_000, () => reject(new Error('no response before the body was complete')));
  });
}

describe.each(STORE_KINDS)('JSON bodies [%s store]', (kind) => {
  let fixture: StoreFixture;
  let app: TestApp;

  beforeAll(async () => {
    fixture = await createStoreFixture(kind);
    app = await startTestApp({ store: (await fixture.create()).store, env: { MAX_BODY_BYTES: String(MAX) } });
  });
  afterAll(async () => {
    await app?.close();
    await fixture?.close();
  });

  it.each(POST_PATHS)('%s: 415 for a non-JSON or missing content type', async (path) => {
    for (const headers of <Record<string, string>[]>[
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      {},
    ]) {
      const res = await rawRequest(app.url, 'POST', path, JSON.stringify(scoreBody('u')), headers);
      expect(res.status).toBe(415);
      expect(JSON.parse(res.body).error.code).toBe('unsupported_media_type');
    }
  });

  it.each(POST_PATHS)('%s: 400 for malformed or empty JSON', async (path) => {
    for (const body of ['{"user_id": "u",', '', 'nul', '{"a":1}}']) {
      const res = await post(app.url, path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toEqual({ code: 'invalid_json', message: 'request body is not valid JSON' });
    }
  });

  it.each(POST_PATHS)('%s: 413 for a body over MAX_BODY_BYTES', async (path) => {
    const big = JSON.stringify({ ...scoreBody('u'), padding: 'x'.repeat(MAX) });
    const res = await post(app.url, path, big);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'payload_too_large', details: { max_bytes: MAX } });
  });

  it('413 on the declared Content-Length, before the body is sent', async () => {
    expect(await partialUpload(app.url, '/score', 50 * 1024 * 1024)).toBe('HTTP/1.1 413 Payload Too Large');
  });

  it('413 for a chunked body that grows over the limit while streaming', async () => {
    const res = await rawRequest(
      app.url,
      'POST',
      '/reward',
      JSON.stringify({ user_id: 'u', reward: 1, features: [0, 0, 0, 0, 0], padding: 'y'.repeat(MAX) }),
      { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    );
    expect(res.status).toBe(413);
  });

  it('accepts a body just under the limit, with a charset parameter', async () => {
    const body = { ...scoreBody('json-limit'), pad: '' };
    body.pad = 'z'.repeat(MAX - JSON.stringify(body).length);
    const res = await post(app.url, '/score', JSON.stringify(body), {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(res.status).toBe(200);
    expect((await get(app.url, '/stats/json-limit')).body.n_scores).toBe(1);
  });
});
