import { ErrorBody, GenerateResponse, SilencedResponse } from '@oo/contracts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MANIFEST as TIP_GENERATOR } from '../agents/tip-generator.js';
import { closedPortUrl, type FakeLlmServer, startFakeLlmServer } from '../testing/fake-llm-server.js';
import { post } from '../testing/http.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import { createStoreFixture, type StoreFixture } from '../testing/test-stores.js';

const KEY = 'sk-serving-generate-9d2e';
const NOW = new Date('2025-03-03T08:15:00.000Z');
const EXPIRES_AT = new Date(NOW.getTime() + TIP_GENERATOR.ttl_sec * 1000).toISOString();
const TITLES = ['Renew passport before the Lisbon trip', 'Call Dr. Okafor about the biopsy results'];
const TIP_TEXT = 'Book the passport office slot first thing today; it is overdue.';
const TIP_ID = /^tip_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const BODY = {
  user_id: 'user-42',
  tasks: [
    { id: 'task-a', title: TITLES[0], due_at: '2025-03-01T17:00:00Z', priority: 4 },
    { id: 'task-b', title: TITLES[1] },
  ],
  consents: ['llm_processing'],
  prefs: { tone: 'direct' },
};

const answer = (tips: Array<{ task_id: string; text: string }>) => JSON.stringify({ tips });

/** The reply is the spec's error shape, with this status and code. */
function expectError(res: { status: number; body: unknown }, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = ErrorBody.parse(res.body);
  expect(body.error.code).toBe(code);
  return body.error;
}

describe('POST /generate over HTTP, against a chat-completions server on loopback', () => {
  let fixture: StoreFixture;
  let llm: FakeLlmServer;
  let app: TestApp;

  const startApp = async (env: Record<string, string> = {}) =>
    startTestApp({
      store: (await fixture.create()).store,
      clock: () => NOW,
      env: { LITELLM_URL: llm.url, LITELLM_MASTER_KEY: KEY, LITELLM_TIMEOUT_MS: '3000', ...env },
    });

  beforeAll(async () => {
    fixture = await createStoreFixture('file');
  });
  afterAll(async () => {
    await fixture?.close();
  });
  beforeEach(async () => {
    llm = await startFakeLlmServer();
    app = await startApp();
  });
  afterEach(async () => {
    const t = performance.now();
    await app?.close();
    console.log('close', performance.now() - t);
    await llm?.close();
  });

  it('asks the gateway for model tip-generator with the master key and answers candidates that expire after ttl_sec', async () => {
    llm.enqueue({
      kind: 'completion',
      model: 'gpt-4o-mini-2024-07-18',
      content: answer([
        { task_id: 'task-a', text: TIP_TEXT },
        { task_id: 'task-b', text: 'Put the call in your calendar for 9:30.' },
      ]),
    });

    const res = await post(app.url, '/generate', BODY);

    expect(res.status).toBe(200);
    const body = GenerateResponse.parse(res.body);
    expect(body).toMatchObject({
      agent: 'tip-generator',
      prompt_version: 'v1',
      model: 'gpt-4o-mini-2024-07-18',
    });
    expect(body.candidates.map(({ task_id, text, expires_at }) => ({ task_id, text, expires_at }))).toEqual([
      { task_id: 'task-a', text: TIP_TEXT, expires_at: EXPIRES_AT },
      { task_id: 'task-b', text: 'Put the call in your calendar for 9:30.', expires_at: EXPIRES_AT },
    ]);
    expect(EXPIRES_AT).toBe('2025-03-03T12:15:00.000Z'); // NOW + 14 400 s
    for (const candidate of body.candidates) expect(candidate.id).toMatch(TIP_ID);
    expect(new Set(body.candidates.map((c) => c.id)).size).toBe(2);

    expect(llm.requests).toHaveLength(1);
    const sent = llm.requests[0]!;
    expect(sent).toMatchObject({ method: 'POST', path: '/chat/completions' });
    expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent.body).toMatchObject({ model: 'tip-generator', response_format: { type: 'json_object' } });
    const messages = (sent.body as { messages: Array<{ role: string; content: string }> }).messages;
    expect(JSON.parse(messages.at(-1)!.content)).toMatchObject({
      now: NOW.toISOString(),
      n: 3,
      tasks: [
        { id: 'task-a', title: TITLES[0] },
        { id: 'task-b', title: TITLES[1] },
      ],
      preferences: { tone: 'direct' },
    });
  });

  it('accepts an answer wrapped in a Markdown code fence', async () => {
    llm.enqueue({
      kind: 'completion',
      content: `\`\`\`json\n${answer([{ task_id: 'task-b', text: TIP_TEXT }])}\n\`\`\``,
    });

    const res = await post(app.url, '/generate', { ...BODY, n: 1, prompt_version: 'v1' });

    expect(res.status).toBe(200);
    expect(GenerateResponse.parse(res.body).candidates).toEqual([
      { id: expect.stringMatching(TIP_ID), task_id: 'task-b', text: TIP_TEXT, expires_at: EXPIRES_AT },
    ]);
  });

  it('answers 502 to garbage', async () => {
    llm.enqueue({ kind: 'completion', content: 'Sure! Here are some tips: renew your passport.' });

    const error = expectError(await post(app.url, '/generate', BODY), 502, 'upstream_error');

    expect(error.details).toEqual({ reason: 'upstream_invalid_response', problem: 'the answer is not JSON' });
  });

  it('answers 502 to JSON that violates the tip schema', async () => {
    llm.enqueue({ kind: 'completion', content: answer([{ task_id: 'task-zzz', text: TIP_TEXT }]) });

    const error = expectError(await post(app.url, '/generate', BODY), 502, 'upstream_error');

    expect(error.details).toEqual({
      reason: 'upstream_invalid_response',
      problem: "tips.0.task_id is not one of the request's task ids",
    });
  });

  it('retries a 429 and answers 200 on the second upstream call', async () => {
    llm.enqueue(
      {
        kind: 'raw',
        status: 429,
        body: '{"error":{"message":"rate limited"}}',
        headers: { 'retry-after': '0' },
      },
      { kind: 'completion', content: answer([{ task_id: 'task-a', text: TIP_TEXT }]) },
    );

    const res = await post(app.url, '/generate', BODY);

    expect(res.status).toBe(200);
    expect(GenerateResponse.parse(res.body).candidates).toHaveLength(1);
    expect(llm.requests).toHaveLength(2);
  });

  it('answers 502 after a bounded number of upstream 500s', async () => {
    llm.setFallback({ kind: 'raw', status: 500, body: '{"error":{"message":"internal"}}' });

    const error = expectError(await post(app.url, '/generate', BODY), 502, 'upstream_error');

    // One call and two retries (ADR-0016), then no more.
    expect(error.details).toEqual({ reason: 'upstream_status', status: 500, attempts: 3 });
    expect(llm.requests).toHaveLength(3);
  });

  it('answers 504 within LITELLM_TIMEOUT_MS when the gateway never answers', async () => {
    const quick = await startApp({ LITELLM_TIMEOUT_MS: '300' });
    try {
      llm.enqueue({ kind: 'hang' });
      const started = performance.now();

      const res = await post(quick.url, '/generate', BODY);

      const elapsed = performance.now() - started;
      const error = expectError(res, 504, 'upstream_timeout');
      expect(error.details).toEqual({ timeout_ms: 300 });
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(1_000);
      expect(llm.requests).toHaveLength(1);
    } finally {
      await quick.close();
    }
  });

  it('answers 502 when nothing listens on LITELLM_URL', async () => {
    const orphan = await startApp({ LITELLM_URL: await closedPortUrl() });
    try {
      const error = expectError(await post(orphan.url, '/generate', BODY), 502, 'upstream_error');
      expect(error.details).toEqual({ reason: 'upstream_unreachable', attempts: 1 });
    } finally {
      await orphan.close();
    }
  });

  describe('the tip-generator manifest, enforced before any upstream call', () => {
    it('answers a silencing context with 200, silenced: true and the reason', async () => {
      const res = await post(app.url, '/generate', { ...BODY, context: 'focus_mode' });

      expect(res.status).toBe(200);
      expect(SilencedResponse.parse(res.body)).toEqual({
        agent: 'tip-generator',
        silenced: true,
        reason: 'agent tip-generator is silenced in context "focus_mode"',
        candidates: [],
      });
      expect(llm.requests).toHaveLength(0);
    });

    it('answers 403 naming llm_processing when the consent is missing', async () => {
      const error = expectError(
        await post(app.url, '/generate', { ...BODY, consents: ['analytics'] }),
        403,
        'consent_required',
      );

      expect(error.message).toContain('llm_processing');
      expect(error.details).toEqual({
        agent: 'tip-generator',
        consent: 'llm_processing',
        missing: ['llm_processing'],
      });
      expect(llm.requests).toHaveLength(0);
    });

    it('answers 422 naming the preference that violates pref_schema', async () => {
      const error = expectError(
        await post(app.url, '/generate', { ...BODY, prefs: { tone: 'sarcastic', font: 'serif' } }),
        422,
        'validation_failed',
      );

      expect((error.details as Array<{ path: string }>).map((issue) => issue.path).sort()).toEqual([
        'prefs.font',
        'prefs.tone',
      ]);
      expect(llm.requests).toHaveLength(0);
    });
  });

  it('answers 422 on prompt_version for an unknown version, without calling upstream', async () => {
    const error = expectError(
      await post(app.url, '/generate', { ...BODY, prompt_version: 'v9' }),
      422,
      'validation_failed',
    );

    expect(error.details).toEqual([{ path: 'prompt_version', message: expect.stringContaining('"v9"') }]);
    expect(llm.requests).toHaveLength(0);
  });

  it('answers 422 naming the field of a body that breaks GenerateRequest', async () => {
    const error = expectError(
      await post(app.url, '/generate', { ...BODY, n: 11, tasks: [] }),
      422,
      'validation_failed',
    );

    expect((error.details as Array<{ path: string }>).map((issue) => issue.path).sort()).toEqual([
      'n',
      'tasks',
    ]);
  });

  it('stops the gateway call when the client goes away, and logs it as such rather than as a bug', async () => {
    llm.enqueue({ kind: 'hang' });
    const controller = new AbortController();
    const sent = fetch(new URL('/generate', app.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(BODY),
      signal: controller.signal,
    });
    for (let i = 0; i < 100 && llm.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(llm.requests).toHaveLength(1);
    // Well before LITELLM_TIMEOUT_MS (3 s): the abort reaches the gateway call at once.
    const aborted = performance.now();
    controller.abort();
    await expect(sent).rejects.toThrow();

    const access = async () => {
      for (let i = 0; i < 200; i++) {
        const line = app.logs.lines.find((l) => l.msg === 'request' && l.route === '/generate');
        if (line) return line;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('no access line for /generate');
    };
    expect(await access()).toMatchObject({ status: 499 });
    expect(performance.now() - aborted).toBeLessThan(1_000);
    expect(app.logs.lines.some((l) => l.msg === 'client closed the request')).toBe(true);
    expect(app.logs.lines.some((l) => l.msg === 'unhandled error')).toBe(false);
  });

  it('never logs task titles, tip text or the master key, whatever the outcome', async () => {
    llm.enqueue(
      { kind: 'completion', content: answer([{ task_id: 'task-a', text: TIP_TEXT }]) },
      { kind: 'completion', content: `${TITLES[0]} ${TIP_TEXT}` },
      { kind: 'completion', content: answer([{ task_id: TITLES[1]!, text: TIP_TEXT }]) },
      { kind: 'raw', status: 400, body: JSON.stringify({ error: { message: `bad: ${TITLES[0]}` } }) },
    );

    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(app.url, '/generate', BODY)).status);
    statuses.push((await post(app.url, '/generate', { ...BODY, context: 'meeting' })).status);
    statuses.push((await post(app.url, '/generate', { ...BODY, consents: [] })).status);

    expect(statuses).toEqual([200, 502, 502, 502, 200, 403]);
    expect(llm.requests).toHaveLength(4);
    const lines = app.logs.lines;
    expect(lines.filter((l) => l.msg === 'request' && l.route === '/generate')).toHaveLength(6);
    expect(lines.find((l) => l.msg === 'tips generated')).toMatchObject({
      agent: 'tip-generator',
      prompt_version: 'v1',
      tasks: 2,
      candidates: 1,
    });
    expect(lines.filter((l) => l.msg === 'dependency error')).toHaveLength(3);
    const text = JSON.stringify(lines);
    for (const secret of [...TITLES, TIP_TEXT, KEY, 'passport', 'biopsy', 'Okafor'])
      expect(text).not.toContain(secret);
  });
});
