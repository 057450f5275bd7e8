import { describe, expect, it } from 'vitest';
import { createHealthApp, startHealthServer } from './health-server.js';
import type { WorkerHealth } from './worker.js';

const counters = { last_msg_ts: null, processed: 0, errors: 0, duplicates: 0, dead_lettered: 0 };
function health(ok: boolean): WorkerHealth {
  return {
    ok,
    state: { backend: 'file' },
    nats: {
      connected: ok,
      consumers: {
        signals: { ...counters, durable: 'p-signals', consuming: ok },
        feedback: { ...counters, durable: 'p-feedback', consuming: ok },
      },
    },
  };
}

describe('health endpoint', () => {
  it('answers 200 while consuming and 503 otherwise, over a real socket', async () => {
    let ok = true;
    const server = await startHealthServer(createHealthApp({ health: () => health(ok) }), 0, '127.0.0.1');
    try {
      const first = await fetch(`http://127.0.0.1:${server.port}/health`);
      expect(first.status).toBe(200);
      expect(await first.json()).toEqual(health(true));
      ok = false;
      const second = await fetch(`http://127.0.0.1:${server.port}/health`);
      expect(second.status).toBe(503);
      expect(await second.json()).toMatchObject({ ok: false, nats: { connected: false } });
      const missing = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'no such route' } });
    } finally {
      await server.close();
    }
  });

  it('never leaks an error’s details', async () => {
    const app = createHealthApp({
      health: () => {
        throw new Error('secret internals');
      },
    });
    const response = await app.request('/health');
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('secret');
  });
});
