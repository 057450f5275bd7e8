import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { initErrorReporter } from '@oo/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../env.js';
import { withBrokenReads } from '../testing/failing-store.js';
import { get } from '../testing/http.js';
import { startTestApp } from '../testing/test-app.js';
import { createStoreFixture, type StoreFixture } from '../testing/test-stores.js';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return (req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
}

// One file, in this order: Sentry is process-global, so the DSN-less run must come first.
describe('unhandled route errors reach Sentry only when SENTRY_DSN is set', () => {
  const received: { url: string; body: string }[] = [];
  const sink = createServer(async (req, res) => {
    received.push({ url: req.url ?? '', body: await readBody(req) });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  let dsn = '';
  let fixture: StoreFixture;

  beforeAll(async () => {
    sink.listen(0, '127.0.0.1');
    await once(sink, 'listening');
    dsn = `http://publickey@127.0.0.1:${(sink.address() as AddressInfo).port}/7`;
    fixture = await createStoreFixture('file');
  });
  afterAll(async () => {
    sink.close();
    await fixture?.close();
  });

  const failOnce = async (env: Record<string, string>, message: string) => {
    const config = loadEnv(env);
    const reporter = await initErrorReporter({ dsn: config.SENTRY_DSN, environment: config.ENV });
    const { store } = await fixture.create();
    const app = await startTestApp({ store: withBrokenReads(store, message), env, reporter });
    try {
      expect((await get(app.url, '/stats/someone')).status).toBe(500);
      await reporter.flush(5_000);
      return reporter;
    } finally {
      await app.close();
    }
  };

  it('without a DSN nothing is initialised and nothing is sent', async () => {
    const reporter = await failOnce({ ENV: 'production' }, 'nobody hears this');
    expect(reporter.enabled).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toEqual([]);
  });

  it('with a DSN the error arrives as an envelope carrying ENV as its environment', async () => {
    const reporter = await failOnce({ SENTRY_DSN: dsn, ENV: 'staging-eu' }, 'route exploded for the test');
    expect(reporter.enabled).toBe(true);
    const event = received.find((entry) => entry.body.includes('route exploded for the test'));
    expect(event).toBeDefined();
    expect(new URL(event!.url, 'http://x').pathname).toBe('/api/7/envelope/');
    expect(event!.body).toContain('"environment":"staging-eu"');
  });
});
