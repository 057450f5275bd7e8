import { GenerateRequest, GenerateResponse, SilencedResponse } from '@oo/contracts';
import { ConfigError, createLogger } from '@oo/observability';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConsentRequiredError, InvalidPrefsError } from '../agents/manifest-enforcement.js';
import { createAgentRegistry } from '../agents/registry.js';
import * as tipGenerator from '../agents/tip-generator.js';
import { type ChatCompletionsClientOptions, createChatCompletionsClient } from '../llm/chat-completions.js';
import { UpstreamError, UpstreamInvalidResponseError, UpstreamTimeoutError } from '../llm/errors.js';
import { UnknownPromptVersionError } from '../prompts/prompts.js';
import { closedPortUrl, type FakeLlmServer, startFakeLlmServer } from '../testing/fake-llm-server.js';
import { createGenerateTips, type GenerateTips } from './generate-tips.js';

const API_KEY = 'sk-generate-test-77c1';
const NOW = new Date('2025-03-03T08:15:00.000Z');
const TITLES = ['Renew passport before the Lisbon trip', 'Call Dr. Okafor about the biopsy results'];
const TIP_TEXT = 'Book the passport office slot first thing today; it is overdue.';

const BODY = GenerateRequest.parse({
  user_id: 'user-42',
  tasks: [
    { id: 'task-a', title: TITLES[0], due_at: '2025-03-01T17:00:00Z', priority: 4 },
    { id: 'task-b', title: TITLES[1] },
  ],
  consents: ['llm_processing'],
  prefs: { tone: 'direct' },
});

function answer(tips: Array<{ task_id: string; text: string }>): string {
  return JSON.stringify({ tips });
}

let server: FakeLlmServer;
let logLines: string[];
const registry = createAgentRegistry([tipGenerator]);

beforeEach(async () => {
  server = await startFakeLlmServer();
  logLines = [];
});
afterEach(async () => {
  await server.close();
});

function generator(llm: Partial<ChatCompletionsClientOptions> = {}): GenerateTips {
  let counter = 0;
  return createGenerateTips({
    registry,
    llm: createChatCompletionsClient({
      baseUrl: server.url,
      apiKey: API_KEY,
      timeoutMs: 2000,
      backoffBaseMs: 5,
      backoffMaxMs: 20,
      ...llm,
    }),
    defaultPromptVersion: 'v1',
    logger: createLogger({
      name: 'generate-test',
      level: 'debug',
      destination: { write: (line) => logLines.push(line) },
    }),
    now: () => NOW,
    newTipId: () => `tip_${++counter}`,
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

describe('createGenerateTips', () => {
  it('asks the gateway with model tip-generator, the bearer key and JSON mode, and returns candidates', async () => {
    server.enqueue({
      kind: 'completion',
      model: 'gpt-4o-mini-2024-07-18',
      content: answer([
        { task_id: 'task-a', text: TIP_TEXT },
        { task_id: 'task-b', text: 'Put the call in your calendar for 9:30.' },
      ]),
    });

    const response = await generator()(BODY);

    expect(GenerateResponse.parse(response)).toEqual({
      agent: 'tip-generator',
      prompt_version: 'v1',
      model: 'gpt-4o-mini-2024-07-18',
      candidates: [
        { id: 'tip_1', text: TIP_TEXT, task_id: 'task-a', expires_at: '2025-03-03T12:15:00.000Z' },
        {
          id: 'tip_2',
          text: 'Put the call in your calendar for 9:30.',
          task_id: 'task-b',
          expires_at: '2025-03-03T12:15:00.000Z',
        },
      ],
    });
    expect(server.requests).toHaveLength(1);
    const [received] = server.requests;
    expect(received?.path).toBe('/chat/completions');
    expect(received?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(received?.body).toMatchObject({
      model: 'tip-generator',
      response_format: { type: 'json_object' },
    });
    const messages = (received!.body as { messages: Array<{ role: string; content: string }> }).messages;
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(JSON.parse(messages[1]!.content)).toMatchObject({
      n: 3,
      now: NOW.toISOString(),
      tasks: [
        { id: 'task-a', title: TITLES[0] },
        { id: 'task-b', title: TITLES[1] },
      ],
      preferences: { tone: 'direct' },
    });
  });

  it('accepts an answer wrapped in a Markdown code fence', async () => {
    server.enqueue({
      kind: 'completion',
      content: `\`\`\`json\n${answer([{ task_id: 'task-a', text: TIP_TEXT }])}\n\`\`\``,
    });

    const response = await generator()(BODY);

    expect(response).toMatchObject({ candidates: [{ task_id: 'task-a', text: TIP_TEXT }] });
  });

  it('returns at most n candidates, in the order the model gave them', async () => {
    const tips = Array.from({ length: 6 }, (_, i) => ({
      task_id: i % 2 ? 'task-b' : 'task-a',
      text: `tip ${i}`,
    }));
    server.enqueue({ kind: 'completion', content: answer(tips) });

    const response = await generator()({ ...BODY, n: 2 });

    expect(GenerateResponse.parse(response).candidates.map((c) => c.text)).toEqual(['tip 0', 'tip 1']);
  });

  it('falls back to the alias when the gateway reports no model', async () => {
    server.enqueue({
      kind: 'raw',
      status: 200,
      body: JSON.stringify({ choices: [{ message: { content: answer([]) } }] }),
    });

    expect(await generator()(BODY)).toMatchObject({ model: 'tip-generator', candidates: [] });
  });

  it('uses the requested prompt version and rejects an unknown one with a 422 before calling the gateway', async () => {
    const error = await rejection(generator()({ ...BODY, prompt_version: 'v9' }));

    expect(error).toBeInstanceOf(UnknownPromptVersionError);
    expect(error).toMatchObject({ status: 422, details: [{ path: 'prompt_version' }] });
    expect(server.requests).toHaveLength(0);
  });

  it('stops start-up when DEFAULT_PROMPT_VERSION names no prompt', () => {
    expect(() =>
      createGenerateTips({
        registry,
        llm: createChatCompletionsClient({ baseUrl: server.url, apiKey: API_KEY, timeoutMs: 100 }),
        defaultPromptVersion: 'v0',
        logger: createLogger({ name: 'x', destination: { write: () => {} } }),
      }),
    ).toThrow(ConfigError);
  });

  it('requires the tip-generator agent in the registry', () => {
    expect(() =>
      createGenerateTips({
        registry: createAgentRegistry([]),
        llm: createChatCompletionsClient({ baseUrl: server.url, apiKey: API_KEY, timeoutMs: 100 }),
        defaultPromptVersion: 'v1',
        logger: createLogger({ name: 'x', destination: { write: () => {} } }),
      }),
    ).toThrow('agent "tip-generator" is not registered');
  });

  describe('manifest enforcement, before any gateway call', () => {
    it('answers a silenced context with no tips and the reason', async () => {
      const response = await generator()({ ...BODY, context: 'focus_mode' });

      expect(SilencedResponse.parse(response)).toEqual({
        agent: 'tip-generator',
        silenced: true,
        reason: 'agent tip-generator is silenced in context "focus_mode"',
        candidates: [],
      });
      expect(server.requests).toHaveLength(0);
    });

    it('refuses a request without the llm_processing consent (403)', async () => {
      const error = await rejection(generator()({ ...BODY, consents: [] }));

      expect(error).toBeInstanceOf(ConsentRequiredError);
      expect(error).toMatchObject({ status: 403, details: { consent: 'llm_processing' } });
      expect(server.requests).toHaveLength(0);
    });

    it('refuses prefs that violate the pref_schema (422)', async () => {
      const error = await rejection(generator()({ ...BODY, prefs: { tone: 'sarcastic' } }));

      expect(error).toBeInstanceOf(InvalidPrefsError);
      expect(error).toMatchObject({ status: 422, details: [{ path: 'prefs.tone' }] });
      expect(server.requests).toHaveLength(0);
    });
  });

  describe('gateway failures', () => {
    it('maps garbage to a 502', async () => {
      server.enqueue({ kind: 'completion', content: 'Sure! Here are some tips: renew your passport.' });

      const error = await rejection(generator()(BODY));

      expect(error).toBeInstanceOf(UpstreamInvalidResponseError);
      expect(error).toMatchObject({
        status: 502,
        code: 'upstream_error',
        details: { reason: 'upstream_invalid_response' },
      });
    });

    it('maps a schema-violating answer to a 502', async () => {
      server.enqueue({ kind: 'completion', content: answer([{ task_id: 'task-zzz', text: TIP_TEXT }]) });

      const error = await rejection(generator()(BODY));

      expect(error).toBeInstanceOf(UpstreamInvalidResponseError);
      expect(error).toMatchObject({
        status: 502,
        problem: "tips.0.task_id is not one of the request's task ids",
      });
    });

    it('retries a 429 and succeeds on the second call', async () => {
      server.enqueue(
        {
          kind: 'raw',
          status: 429,
          body: '{"error":{"message":"rate limit"}}',
          headers: { 'retry-after': '0' },
        },
        { kind: 'completion', content: answer([{ task_id: 'task-b', text: TIP_TEXT }]) },
      );

      const response = await generator()(BODY);

      expect(response).toMatchObject({ candidates: [{ task_id: 'task-b' }] });
      expect(server.requests).toHaveLength(2);
    });

    it('answers 502 after a bounded number of 500s', async () => {
      server.setFallback({ kind: 'raw', status: 500, body: '{"error":{"message":"internal"}}' });

      const error = await rejection(generator({ maxRetries: 2 })(BODY));

      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ status: 502, details: { status: 500, attempts: 3 } });
      expect(server.requests).toHaveLength(3);
    });

    it('does not retry a 400', async () => {
      server.setFallback({ kind: 'raw', status: 400, body: '{"error":{"message":"bad request"}}' });

      const error = await rejection(generator()(BODY));

      expect(error).toMatchObject({ status: 502, details: { status: 400, attempts: 1 } });
      expect(server.requests).toHaveLength(1);
    });

    it('answers 504 when the gateway never answers, within the time-out plus a little', async () => {
      server.enqueue({ kind: 'hang' });
      const started = performance.now();

      const error = await rejection(generator({ timeoutMs: 300 })(BODY));

      expect(error).toBeInstanceOf(UpstreamTimeoutError);
      expect(error).toMatchObject({ status: 504, code: 'upstream_timeout' });
      expect(performance.now() - started).toBeLessThan(800);
    });

    it('answers 502 when nothing listens on the gateway port', async () => {
      const error = await rejection(generator({ baseUrl: await closedPortUrl() })(BODY));

      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ status: 502, details: { reason: 'upstream_unreachable' } });
    });
  });

  describe('logs', () => {
    it('carry counts and versions, never titles, tip text or the key, whatever the outcome', async () => {
      server.enqueue(
        { kind: 'completion', content: answer([{ task_id: 'task-a', text: TIP_TEXT }]) },
        { kind: 'completion', content: `${TITLES[0]} ${TIP_TEXT}` },
        { kind: 'completion', content: answer([{ task_id: TITLES[1]!, text: TIP_TEXT }]) },
        { kind: 'raw', status: 400, body: JSON.stringify({ error: { message: `bad: ${TITLES[0]}` } }) },
      );
      const generate = generator();

      await generate(BODY);
      for (let i = 0; i < 3; i++) await rejection(generate(BODY));
      await generate({ ...BODY, context: 'meeting' });

      const lines = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.find((line) => line.msg === 'tips generated')).toMatchObject({
        level: 'info',
        logger: 'generate-test',
        agent: 'tip-generator',
        prompt_version: 'v1',
        tasks: 2,
        requested: 3,
        candidates: 1,
        attempts: 1,
      });
      expect(lines.some((line) => line.msg === 'tip generation silenced')).toBe(true);
      const all = logLines.join('\n');
      for (const secret of [...TITLES, TIP_TEXT, API_KEY, 'passport', 'biopsy'])
        expect(all).not.toContain(secret);
    });
  });
});
