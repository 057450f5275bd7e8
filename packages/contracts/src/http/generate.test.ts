import { describe, expect, it } from 'vitest';
import { GenerateRequest, GenerateResponse, SilencedResponse, TipCandidate } from './generate.js';

const request = {
  user_id: 'user-42',
  tasks: [{ id: 't1', title: 'File the quarterly report' }],
};

function paths(result: { error?: { issues: { path: PropertyKey[] }[] } }) {
  return result.error?.issues.map((i) => i.path) ?? [];
}

describe('GenerateRequest', () => {
  it('accepts a minimal body and defaults n to 3', () => {
    expect(GenerateRequest.parse(request)).toEqual({ ...request, n: 3 });
  });

  it('accepts every optional field', () => {
    const body = {
      ...request,
      tasks: [
        { id: 't1', title: 'x', due_at: '2025-02-01T17:00:00Z', priority: 4 },
        { id: 't2', title: 'y', due_at: null },
      ],
      n: 10,
      prompt_version: 'v2',
      context: 'focus',
      consents: ['llm_processing'],
      prefs: { tone: 'brief', max_words: 20 },
    };
    expect(GenerateRequest.parse(body)).toEqual(body);
  });

  it.each([
    ['0 tasks', { tasks: [] }, ['tasks']],
    ['51 tasks', { tasks: Array.from({ length: 51 }, (_, i) => ({ id: `t${i}`, title: 'x' })) }, ['tasks']],
    [
      'a duplicate task id',
      {
        tasks: [
          { id: 'a', title: 'x' },
          { id: 'a', title: 'y' },
        ],
      },
      ['tasks', 1, 'id'],
    ],
    ['an empty title', { tasks: [{ id: 'a', title: '' }] }, ['tasks', 0, 'title']],
    ['a 501-character title', { tasks: [{ id: 'a', title: 'x'.repeat(501) }] }, ['tasks', 0, 'title']],
    ['priority 5', { tasks: [{ id: 'a', title: 'x', priority: 5 }] }, ['tasks', 0, 'priority']],
    ['n = 0', { n: 0 }, ['n']],
    ['n = 11', { n: 11 }, ['n']],
    ['n = 2.5', { n: 2.5 }, ['n']],
    ['a path-like prompt version', { prompt_version: '../../etc/passwd' }, ['prompt_version']],
    ['a hidden prompt version', { prompt_version: '.v1' }, ['prompt_version']],
    ['a consent with a space', { consents: ['llm processing'] }, ['consents', 0]],
    ['prefs as an array', { prefs: ['brief'] }, ['prefs']],
    ['a bad user id', { user_id: 'a/b' }, ['user_id']],
  ])('rejects %s', (_label, overrides, path) => {
    expect(paths(GenerateRequest.safeParse({ ...request, ...overrides }))).toEqual([path]);
  });

  it('accepts a 500-character title and 50 tasks', () => {
    const tasks = Array.from({ length: 50 }, (_, i) => ({ id: `t${i}`, title: 'x'.repeat(500) }));
    expect(GenerateRequest.safeParse({ ...request, tasks }).success).toBe(true);
  });
});

const tip = {
  id: 'tip-1',
  text: 'Start with the smallest section.',
  task_id: 't1',
  expires_at: '2025-01-31T10:30:00Z',
};

describe('TipCandidate', () => {
  it('accepts a tip', () => {
    expect(TipCandidate.parse(tip)).toEqual(tip);
  });

  it.each([
    ['empty text', { text: '' }, ['text']],
    ['no expiry', { expires_at: undefined }, ['expires_at']],
    ['a numeric task id', { task_id: 1 }, ['task_id']],
  ])('rejects %s', (_label, overrides, path) => {
    expect(paths(TipCandidate.safeParse({ ...tip, ...overrides }))).toEqual([path]);
  });
});

describe('GenerateResponse', () => {
  const response = {
    agent: 'tip-generator',
    prompt_version: 'v1',
    model: 'tip-generator',
    candidates: [tip],
  };

  it('accepts generated tips', () => {
    expect(GenerateResponse.parse(response)).toEqual(response);
  });

  it.each([
    ['a non-kebab agent', { agent: 'TipGenerator' }, ['agent']],
    ['11 tips', { candidates: new Array(11).fill(tip) }, ['candidates']],
    ['a bad tip', { candidates: [{ ...tip, text: '' }] }, ['candidates', 0, 'text']],
  ])('rejects %s', (_label, overrides, path) => {
    expect(paths(GenerateResponse.safeParse({ ...response, ...overrides }))).toEqual([path]);
  });
});

describe('SilencedResponse', () => {
  const silenced = {
    agent: 'tip-generator',
    silenced: true,
    reason: 'silenced in context focus',
    candidates: [],
  };

  it('accepts a silenced answer', () => {
    expect(SilencedResponse.parse(silenced)).toEqual(silenced);
  });

  it.each([
    ['silenced: false', { silenced: false }, ['silenced']],
    ['tips', { candidates: [tip] }, ['candidates']],
    ['no reason', { reason: '' }, ['reason']],
  ])('rejects %s', (_label, overrides, path) => {
    expect(paths(SilencedResponse.safeParse({ ...silenced, ...overrides }))).toEqual([path]);
  });
});
