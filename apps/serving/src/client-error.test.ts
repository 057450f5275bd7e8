import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientErrorResponse } from './client-error.js';
import { isErrorShape } from './testing/load.js';
import { startTestApp, type TestApp } from './testing/test-app.js';
import { createStoreFixture, type StoreFixture } from './testing/test-stores.js';

/** Writes `raw` on a fresh connection and resolves with everything read until the server closes. */
function exchange(url: string, raw: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.write(raw));
    let reply = '';
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(reply));
    socket.setTimeout(10_000, () => reject(new Error(`no close; got ${JSON.stringify(reply)}`)));
  });
}

function parseReply(reply: string): { status: number; type: string | undefined; body: unknown } {
  const end = reply.indexOf('\r\n\r\n');
  const head = reply.slice(0, end);
  return {
    status: Number(head.slice(9, 12)),
    type: /content-type: ([^\r]+)/i.exec(head)?.[1],
    body: JSON.parse(reply.slice(end + 4)),
  };
}

describe('requests refused before they reach the app', () => {
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

  it.each([
    ['malformed HTTP', 'GARBAGE\r\n\r\n', 400, 'bad_request'],
    ['a bad header line', 'GET /health HTTP/1.1\r\nHost x\r\n\r\n', 400, 'bad_request'],
    [
      'a bad chunk size',
      'POST /score HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n',
      400,
      'bad_request',
    ],
    [
      'a 100 kB path',
      `POST /reset/${'x'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      431,
      'headers_too_large',
    ],
    [
      'a 20 kB header',
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(20_000)}\r\n\r\n`,
      431,
      'headers_too_large',
    ],
  ])('%s: %i in the error shape, then the connection closes', async (_name, raw, status, code) => {
    const reply = parseReply(await exchange(app.url, raw));
    expect(reply.status).toBe(status);
    expect(reply.type).toBe('application/json');
    expect(isErrorShape(reply.body, status)).toBe(true);
    expect(reply.body).toMatchObject({ error: { code } });
  });

  it('writes a 408 for a request time-out', () => {
    const error = Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
    expect(parseReply(clientErrorResponse(error))).toEqual({
      status: 408,
      type: 'application/json',
      body: { error: { code: 'request_timeout', message: 'the request was not received in time' } },
    });
  });

  it('keeps serving afterwards', async () => {
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
  });
});
