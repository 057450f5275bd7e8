import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  chatCompletionBody,
  closedPortUrl,
  type FakeLlmServer,
  startFakeLlmServer,
} from './fake-llm-server.js';

let server: FakeLlmServer;
beforeEach(async () => {
  server = await startFakeLlmServer();
});
afterEach(async () => {
  await server.close();
});

const post = (body: string, signal?: AbortSignal) =>
  fetch(`${server.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
    body,
    ...(signal ? { signal } : {}),
  });

describe('startFakeLlmServer', () => {
  it('plays the script in order and records each request', async () => {
    server.enqueue(
      { kind: 'completion', content: 'hello', model: 'm-1' },
      { kind: 'raw', status: 429, body: 'slow down', headers: { 'retry-after': '2' } },
    );

    const first = await post('{"model":"tip-generator"}');
    const second = await post('not json');

    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ model: 'm-1', choices: [{ message: { content: 'hello' } }] });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('2');
    expect(await second.text()).toBe('slow down');
    expect(server.requests.map((r) => [r.method, r.path, r.headers.authorization, r.body])).toEqual([
      ['POST', '/chat/completions', 'Bearer k', { model: 'tip-generator' }],
      ['POST', '/chat/completions', 'Bearer k', 'not json'],
    ]);
  });

  it('fails loudly (599) once the script is exhausted, unless a fallback is set', async () => {
    expect((await post('{}')).status).toBe(599);
    server.setFallback({ kind: 'raw', status: 503, body: '' });
    expect((await post('{}')).status).toBe(503);
    expect((await post('{}')).status).toBe(503);
  });

  it('can reset the connection, and close() ends requests left hanging', async () => {
    server.enqueue({ kind: 'destroy' }, { kind: 'hang' });

    await expect(post('{}')).rejects.toThrow(TypeError);
    const hanging = post('{}');
    await expect.poll(() => server.requests.length).toBe(2);
    await server.close();
    await expect(hanging).rejects.toThrow(TypeError);
    server = await startFakeLlmServer();
  });

  it('builds chat-completion bodies the OpenAI way', () => {
    expect(JSON.parse(chatCompletionBody('x', 'm'))).toMatchObject({
      object: 'chat.completion',
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: 'stop' }],
    });
  });

  it('hands out a loopback URL nobody listens on', async () => {
    await expect(fetch(await closedPortUrl())).rejects.toThrow(TypeError);
  });
});
