import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closedPortUrl, type FakeLlmServer, startFakeLlmServer } from '../testing/fake-llm-server.js';
import { type ChatCompletionsClientOptions, createChatCompletionsClient } from './chat-completions.js';
import { UpstreamError, UpstreamInvalidResponseError, UpstreamTimeoutError } from './errors.js';

const API_KEY = 'sk-test-secret-4f9a';
const REQUEST = {
  model: 'tip-generator',
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: '{"tasks":[]}' },
  ],
  response_format: { type: 'json_object' },
} as const;

let server: FakeLlmServer;

beforeEach(async () => {
  server = await startFakeLlmServer();
});
afterEach(async () => {
  await server.close();
});

function client(overrides: Partial<ChatCompletionsClientOptions> = {}) {
  return createChatCompletionsClient({
    baseUrl: server.url,
    apiKey: API_KEY,
    timeoutMs: 2000,
    backoffBaseMs: 10,
    backoffMaxMs: 50,
    ...overrides,
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('createChatCompletionsClient', () => {
  it('posts the request to {baseUrl}/chat/completions with the bearer key and returns the content', async () => {
    server.enqueue({ kind: 'completion', content: '{"tips":[]}', model: 'gpt-4o-mini' });

    const completion = await client({ baseUrl: `${server.url}/` }).complete(REQUEST);

    expect(completion).toEqual({
      model: 'gpt-4o-mini',
      content: '{"tips":[]}',
      finishReason: 'stop',
      attempts: 1,
    });
    expect(server.requests).toHaveLength(1);
    const [received] = server.requests;
    expect(received?.method).toBe('POST');
    expect(received?.path).toBe('/chat/completions');
    expect(received?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(received?.headers['content-type']).toBe('application/json');
    expect(received?.body).toEqual(REQUEST);
  });

  it('retries a 429 after the back-off, honouring Retry-After up to the cap', async () => {
    server.enqueue(
      {
        kind: 'raw',
        status: 429,
        body: '{"error":{"message":"rate limited"}}',
        headers: { 'retry-after': '1' },
      },
      { kind: 'completion', content: '{"tips":[]}' },
    );

    const completion = await client({ backoffMaxMs: 150 }).complete(REQUEST);

    expect(completion.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests;
    // Retry-After: 1 s, capped at backoffMaxMs = 150 ms (timer granularity allows a little less).
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(140);
    expect(second!.receivedAt - first!.receivedAt).toBeLessThan(900);
  });

  it('gives up on a 5xx after maxRetries extra attempts with an UpstreamError naming the status', async () => {
    server.setFallback({ kind: 'raw', status: 500, body: '{"error":{"message":"boom"}}' });

    const error = await rejection(client({ maxRetries: 2 }).complete(REQUEST));

    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({
      code: 'upstream_error',
      upstreamStatus: 500,
      status: 502,
      details: { reason: 'upstream_status', status: 500, attempts: 3 },
    });
    expect(server.requests).toHaveLength(3);
    expect(
      JSON.stringify({ message: (error as Error).message, details: (error as UpstreamError).details }),
    ).not.toContain(API_KEY);
  });

  it('recovers when a 503 is followed by a good answer', async () => {
    server.enqueue(
      { kind: 'raw', status: 503, body: 'unavailable' },
      { kind: 'raw', status: 502, body: 'bad gateway' },
      { kind: 'completion', content: '{"tips":[]}' },
    );

    const completion = await client({ maxRetries: 2 }).complete(REQUEST);

    expect(completion.attempts).toBe(3);
    expect(server.requests).toHaveLength(3);
  });

  it.each([400, 401, 404, 422])('never retries a %i', async (status) => {
    server.setFallback({ kind: 'raw', status, body: '{"error":{"message":"no"}}' });

    const error = await rejection(client().complete(REQUEST));

    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ upstreamStatus: status, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('does not follow a redirect, which would resend the prompt elsewhere', async () => {
    server.enqueue({ kind: 'raw', status: 307, body: '', headers: { location: `${server.url}/elsewhere` } });

    const error = await rejection(client().complete(REQUEST));

    expect(error).toMatchObject({ upstreamStatus: 307, attempts: 1 });
    expect(server.requests.map((r) => r.path)).toEqual(['/chat/completions']);
  });

  it('answers a 429 whose Retry-After exceeds the deadline at once instead of timing out', async () => {
    server.enqueue({ kind: 'raw', status: 429, body: '{}', headers: { 'retry-after': '30' } });
    const started = performance.now();

    const error = await rejection(client({ timeoutMs: 1000, backoffMaxMs: 5000 }).complete(REQUEST));

    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ upstreamStatus: 429, attempts: 1 });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('times out a gateway that never answers within the deadline', async () => {
    server.enqueue({ kind: 'hang' });
    const started = performance.now();

    const error = await rejection(client({ timeoutMs: 300 }).complete(REQUEST));

    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(error).toMatchObject({ code: 'upstream_timeout', status: 504, details: { timeout_ms: 300 } });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(800);
    expect(server.requests).toHaveLength(1);
  });

  it('bounds retries by the overall deadline, not per attempt', async () => {
    server.setFallback({ kind: 'raw', status: 500, body: 'slow failure', delayMs: 200 });
    const started = performance.now();

    const error = await rejection(
      client({ timeoutMs: 450, maxRetries: 5, backoffBaseMs: 1, backoffMaxMs: 1 }).complete(REQUEST),
    );

    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(performance.now() - started).toBeLessThan(900);
    expect(server.requests.length).toBeLessThanOrEqual(3);
  });

  it('times out a 200 whose body never finishes', async () => {
    server.enqueue({ kind: 'stall', partialBody: '{"choices":[{"message":{"content":"{\\"tips' });
    const started = performance.now();

    const error = await rejection(client({ timeoutMs: 250 }).complete(REQUEST));

    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(performance.now() - started).toBeLessThan(750);
  });

  it('times out a gateway that answers too late', async () => {
    server.enqueue({ kind: 'completion', content: '{"tips":[]}', delayMs: 1000 });

    expect(await rejection(client({ timeoutMs: 250 }).complete(REQUEST))).toBeInstanceOf(
      UpstreamTimeoutError,
    );
  });

  it('reports a closed port as an unreachable gateway, without retrying', async () => {
    const error = await rejection(client({ baseUrl: await closedPortUrl() }).complete(REQUEST));

    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({
      upstreamStatus: null,
      details: { reason: 'upstream_unreachable', attempts: 1 },
    });
  });

  it('reports a connection reset as an unreachable gateway', async () => {
    server.enqueue({ kind: 'destroy' });

    const error = await rejection(client().complete(REQUEST));

    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ upstreamStatus: null });
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    [
      'a body that is not JSON',
      { kind: 'raw', status: 200, body: '<html>gateway</html>' },
      'body is not JSON',
    ],
    [
      'JSON that is not a completion',
      { kind: 'raw', status: 200, body: '{"result":"ok"}' },
      'body is not a chat completion',
    ],
    [
      'an empty choices array',
      { kind: 'raw', status: 200, body: '{"choices":[]}' },
      'body is not a chat completion',
    ],
    ['a null content', { kind: 'completion', content: null }, 'the completion has no content'],
  ] as const)('rejects %s as an invalid response', async (_label, behaviour, problem) => {
    server.enqueue(behaviour);

    const error = await rejection(client().complete(REQUEST));

    expect(error).toBeInstanceOf(UpstreamInvalidResponseError);
    expect(error).toMatchObject({
      code: 'upstream_error',
      status: 502,
      details: { reason: 'upstream_invalid_response', problem },
    });
    expect((error as Error).cause).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  it('rejects a body larger than maxResponseBytes', async () => {
    server.enqueue({ kind: 'completion', content: 'x'.repeat(5000) });

    const error = await rejection(client({ maxResponseBytes: 1000 }).complete(REQUEST));

    expect(error).toBeInstanceOf(UpstreamInvalidResponseError);
  });

  it("propagates the caller's abort reason rather than inventing an upstream failure", async () => {
    server.enqueue({ kind: 'hang' });
    const controller = new AbortController();
    const reason = new Error('client went away');
    setTimeout(() => controller.abort(reason), 50);

    const error = await rejection(client().complete(REQUEST, { signal: controller.signal }));

    expect(error).toBe(reason);
  });
});
