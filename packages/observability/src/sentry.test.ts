import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { initErrorReporter } from './sentry.js';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return (req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
}

describe('initErrorReporter', () => {
  const envelopes: { url: string; body: string }[] = [];
  const server = createServer(async (req, res) => {
    envelopes.push({ url: req.url ?? '', body: await readBody(req) });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  afterAll(() => server.close());

  it('is a no-op without a DSN', async () => {
    const reporter = await initErrorReporter({ dsn: '', environment: 'test' });
    expect(reporter.enabled).toBe(false);
    reporter.capture(new Error('nobody hears this'));
    await reporter.flush();
  });

  it('delivers a captured error as an envelope carrying the environment', async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const reporter = await initErrorReporter({
      dsn: `http://publickey@127.0.0.1:${port}/42`,
      environment: 'staging',
    });
    expect(reporter.enabled).toBe(true);
    reporter.capture(new Error('boom from test'), { route: '/x' });
    await reporter.flush(5000);
    const event = envelopes.find((e) => e.body.includes('boom from test'));
    const url = new URL(event?.url ?? '/', 'http://x');
    expect(url.pathname).toBe('/api/42/envelope/');
    expect(url.searchParams.get('sentry_key')).toBe('publickey');
    expect(event?.body).toContain('"environment":"staging"');
  });
});
