import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the fake gateway does with one request. Requests consume the script in order; once it is
 * exhausted the `fallback` behaviour answers (by default a 599 that no test expects, so an
 * unscripted call fails loudly instead of passing by accident).
 */
export type FakeLlmBehaviour =
  /** 200 with an OpenAI chat-completion whose assistant message is `content`. */
  | { kind: 'completion'; content: string | null; model?: string; delayMs?: number }
  /** Any status with a raw body: garbage, an error JSON, a rate limit with `Retry-After`… */
  | { kind: 'raw'; status: number; body: string; headers?: Record<string, string>; delayMs?: number }
  /** Accepts the request and never answers. */
  | { kind: 'hang' }
  /** Sends a 200 and the first part of a body, then stalls without ending it. */
  | { kind: 'stall'; partialBody: string }
  /** Destroys the socket without answering. */
  | { kind: 'destroy' };

export interface RecordedLlmRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
  /** `performance.now()` when the body had arrived, to measure back-off between attempts. */
  receivedAt: number;
}

export interface FakeLlmServer {
  /** Base URL, like `LITELLM_URL` (no trailing slash). */
  readonly url: string;
  /** Every request received, in arrival order. */
  readonly requests: RecordedLlmRequest[];
  /** Appends behaviours to the script. */
  enqueue(...behaviours: FakeLlmBehaviour[]): void;
  /** Answers once the script is exhausted. */
  setFallback(behaviour: FakeLlmBehaviour): void;
  close(): Promise<void>;
}

const UNSCRIPTED: FakeLlmBehaviour = {
  kind: 'raw',
  status: 599,
  body: '{"error":{"message":"fake-llm-server: no scripted behaviour left"}}',
};

/** A chat-completions body as LiteLLM returns it for an OpenAI-style deployment. */
export function chatCompletionBody(content: string | null, model = 'gpt-4o-mini-2024-07-18'): string {
  return JSON.stringify({
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });
}

/**
 * A real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions protocol: LiteLLM itself
 * cannot run in the test environment, and a fetch mock would not exercise sockets, time-outs or
 * connection resets.
 */
export async function startFakeLlmServer(): Promise<FakeLlmServer> {
  const script: FakeLlmBehaviour[] = [];
  const requests: RecordedLlmRequest[] = [];
  let fallback = UNSCRIPTED;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Recorded as text: the test asserting on it will say what arrived.
      }
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        receivedAt: performance.now(),
      });
      act(script.shift() ?? fallback, res);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...behaviours) => {
      script.push(...behaviours);
    },
    setFallback: (behaviour) => {
      fallback = behaviour;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Hanging requests keep their sockets open; without this close() would wait for them.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function act(behaviour: FakeLlmBehaviour, res: ServerResponse): void {
  switch (behaviour.kind) {
    case 'hang':
      return;
    case 'destroy':
      res.socket?.destroy();
      return;
    case 'stall':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(behaviour.partialBody);
      return;
    case 'completion':
      later(behaviour.delayMs, () => send(res, 200, chatCompletionBody(behaviour.content, behaviour.model)));
      return;
    case 'raw':
      later(behaviour.delayMs, () => send(res, behaviour.status, behaviour.body, behaviour.headers));
      return;
  }
}

function later(delayMs: number | undefined, fn: () => void): void {
  if (delayMs === undefined) fn();
  else setTimeout(fn, delayMs);
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

/** A loopback port with nothing listening: bound, read, and released. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
