import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as contracts from '../src/index.js';

// These tests read the files `pnpm build` emitted (turbo runs build before test).
const SCHEMAS_DIR = join(import.meta.dirname, '..', 'schemas');

interface SchemaIndex {
  draft: string;
  schemas: Record<string, string>;
  events: Record<string, string>;
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(join(SCHEMAS_DIR, file), 'utf8'));
}

let index: SchemaIndex;
// strictRequired is off because it rejects the standard `oneOf: [{ required: [a] }, { required: [b] }]`
// idiom of RewardRequest (its properties are declared one level up). Formats are not validated:
// every date-time also carries zod's pattern, which is what a validator without formats checks.
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true, validateFormats: false });
const validators = new Map<string, ValidateFunction>();

function validator(name: string): ValidateFunction {
  const compiled = validators.get(name);
  if (compiled === undefined) throw new Error(`no JSON Schema compiled for ${name}`);
  return compiled;
}

beforeAll(() => {
  if (!existsSync(join(SCHEMAS_DIR, 'index.json'))) {
    throw new Error(`${SCHEMAS_DIR}/index.json is missing: run \`pnpm --filter @oo/contracts build\` first`);
  }
  index = readJson('index.json') as SchemaIndex;
  for (const [name, file] of Object.entries(index.schemas)) {
    validators.set(name, ajv.compile(readJson(file) as object));
  }
});

const schemaNames = Object.entries(contracts)
  .filter(([, value]) => typeof value === 'object' && value !== null && '_zod' in value)
  .map(([name]) => name);

describe('emitted JSON Schemas', () => {
  it('cover every exported zod schema, one file each, all valid draft 2020-12 under ajv strict mode', () => {
    expect(Object.keys(index.schemas).sort()).toEqual([...schemaNames].sort());
    expect(index.draft).toBe('https://json-schema.org/draft/2020-12/schema');
    for (const [name, file] of Object.entries(index.schemas)) {
      expect(file).toBe(`${name}.json`);
      expect(readJson(file)).toMatchObject({ $schema: index.draft, title: name });
    }
  });

  it('map every v1 subject to its event schema', () => {
    expect(index.events).toEqual({
      'signals.task.synced': 'TaskSyncedEvent.json',
      'signals.tip.feedback': 'TipFeedbackEvent.json',
      'feedback.>': 'FeedbackEvent.json',
    });
  });
});

// Each fixture must get the same verdict from zod and from the emitted JSON Schema.
function expectSameVerdict(name: string, fixture: unknown, valid: boolean) {
  const schema = (contracts as unknown as Record<string, z.ZodType>)[name]!;
  expect(schema.safeParse(fixture).success, `zod verdict for ${JSON.stringify(fixture)}`).toBe(valid);
  expect(validator(name)(fixture), `JSON Schema verdict for ${JSON.stringify(fixture)}`).toBe(valid);
}

const synced = {
  event_id: '01JHX3Q4T5V6W7X8Y9Z0ABCDEF',
  occurred_at: '2025-01-31T09:30:00.000Z',
  user_id: 'user-42',
  last_sync_ts: '2025-01-31T09:29:58+01:00',
  task_count: 17,
};

describe('TaskSyncedEvent.json', () => {
  it('validates a valid event, and one with extra fields', () => {
    expectSameVerdict('TaskSyncedEvent', synced, true);
    expectSameVerdict('TaskSyncedEvent', { ...synced, source: 'ios' }, true);
  });

  it.each([
    ['a negative task count', { task_count: -1 }],
    ['a fractional task count', { task_count: 2.5 }],
    ['a traversal user id', { user_id: '../x' }],
    ['a hidden user id', { user_id: '.hidden' }],
    ['a 129-character user id', { user_id: 'u'.repeat(129) }],
    ['a unicode user id', { user_id: 'zoë' }],
    ['a timestamp without offset', { last_sync_ts: '2025-01-31T09:29:58' }],
    ['February 30', { occurred_at: '2024-02-30T00:00:00Z' }],
    ['a missing event id', { event_id: undefined }],
  ])('rejects %s', (_label, overrides) => {
    expectSameVerdict('TaskSyncedEvent', JSON.parse(JSON.stringify({ ...synced, ...overrides })), false);
  });
});

describe('other emitted schemas agree with zod', () => {
  const tipFeedback = {
    event_id: 'e1',
    occurred_at: '2025-01-31T09:30:00Z',
    user_id: 'u1',
    tip_id: 'tip 1',
    action: 'snoozed',
  };
  const feedback = {
    event_id: 'e2',
    occurred_at: '2025-01-31T09:30:00Z',
    user_id: 'u1',
    target: 'tip',
    rating: 5,
  };
  const reward = { user_id: 'u1', reward: 0.5 };
  const score = {
    user_id: 'u1',
    candidates: [{ id: 't1', task: { due_at: null, created_at: '2025-01-01T00:00:00Z', priority: 2 } }],
  };

  it.each([
    ['TipFeedbackEvent', tipFeedback, true],
    ['TipFeedbackEvent', { ...tipFeedback, action: 'liked' }, false],
    ['TipFeedbackEvent', { ...tipFeedback, tip_id: 'a\u0000' }, false],
    ['FeedbackEvent', feedback, true],
    ['FeedbackEvent', { ...feedback, rating: 0 }, false],
    ['FeedbackEvent', { ...feedback, comment: 'c'.repeat(2001) }, false],
    ['RewardRequest', { ...reward, decision_id: 'd1' }, true],
    ['RewardRequest', { ...reward, features: [0.1, 0.2, 0.3, 0.4, 0.5] }, true],
    ['RewardRequest', { ...reward, decision_id: 'd1', features: [0.1] }, false],
    ['RewardRequest', reward, false],
    ['RewardRequest', { ...reward, reward: 1.0001, decision_id: 'd1' }, false],
    ['ScoreRequest', score, true],
    ['ScoreRequest', { ...score, tz_offset_min: 841 }, false],
    ['ScoreRequest', { ...score, candidates: [] }, false],
    ['ScoreRequest', { ...score, profile_features: [0.1, 0.2, 0.3, 0.4] }, false],
    ['ScoreRequestWithProfile', score, false],
    ['ScoreRequestWithProfile', { ...score, profile_features: [0, 0.25, 0.5, 0.75, 1] }, true],
    ['GenerateRequest', { user_id: 'u1', tasks: [{ id: 't1', title: 'x' }] }, true],
    ['GenerateRequest', { user_id: 'u1', tasks: [{ id: 't1', title: 'x' }], prompt_version: '../v1' }, false],
    [
      'AgentManifest',
      {
        id: 'task-nudge',
        version: '1.0.0',
        pref_schema: { type: 'object' },
        required_consents: [],
        ttl_sec: 60,
        silenced_in_contexts: [],
      },
      true,
    ],
    [
      'AgentManifest',
      {
        id: 'task-nudge',
        version: '1.0',
        pref_schema: { type: 'object' },
        required_consents: [],
        ttl_sec: 60,
        silenced_in_contexts: [],
      },
      false,
    ],
  ])('%s: %j valid = %s', (name, fixture, valid) => {
    expectSameVerdict(name, fixture, valid);
  });
});

// DecisionLogLine's cross-field rules: d per policy and reward/rewarded_at null together are in the
// JSON Schema too (allOf if/then, anyOf); unique candidate ids and chosen_id among them are zod's only.
describe('DecisionLogLine.json', () => {
  const features = (d: number) => Array.from({ length: d }, (_, i) => (i % 3) / 2);
  const line = {
    v: 1,
    user_id: 'u1',
    decision_id: 'd1',
    policy: 'egreedy-v1',
    ts: '2025-01-06T09:30:00Z',
    candidates: [
      { id: 't1', features: features(7) },
      { id: 't2', features: features(7) },
    ],
    chosen_id: 't2',
    propensity: 0.05,
    reward: 0,
    rewarded_at: '2025-01-06T09:31:00Z',
  };
  const linucb = {
    ...line,
    policy: 'linucb-v1',
    propensity: 1,
    candidates: line.candidates.map((c) => ({ ...c, features: features(5) })),
  };
  const v2 = {
    ...line,
    policy: 'egreedy-v2',
    candidates: line.candidates.map((c) => ({ ...c, features: features(12) })),
  };

  it.each([
    ['egreedy-v1, rewarded', line, true],
    ['pending', { ...line, reward: null, rewarded_at: null }, true],
    ['linucb-v1 with 5 features', linucb, true],
    ['egreedy-v2 with 12 features', v2, true],
    [
      'with parameters, version and expiry',
      {
        ...line,
        policy_version: '1.0.0',
        policy_params: { epsilon: 0.1, gamma: 1 },
        expires_at: '2025-01-07T09:30:00Z',
      },
      true,
    ],
    ['with an extra field', { ...line, sim: { means: [0.1, 0.2] } }, true],
    ['linucb-v1 with 7 features', { ...line, policy: 'linucb-v1' }, false],
    ['egreedy-v2 with 7 features', { ...line, policy: 'egreedy-v2' }, false],
    ['egreedy-v1 with 5 features', { ...linucb, policy: 'egreedy-v1' }, false],
    ['a reward without rewarded_at', { ...line, rewarded_at: null }, false],
    ['rewarded_at without a reward', { ...line, reward: null }, false],
    ['format version 2', { ...line, v: 2 }, false],
    ['propensity 0', { ...line, propensity: 0 }, false],
    ['a feature above 1', { ...line, candidates: [{ id: 't2', features: [2, 0, 0, 0, 0, 0, 0] }] }, false],
    ['γ of 0', { ...line, policy_params: { gamma: 0 } }, false],
    ['no candidates', { ...line, candidates: [] }, false],
  ])('%s: valid = %s for zod and JSON Schema', (_label, fixture, valid) => {
    expectSameVerdict('DecisionLogLine', fixture, valid);
  });

  it('leaves unique ids and chosen_id membership to zod (JSON Schema cannot express them)', () => {
    const repeated = { ...line, candidates: [line.candidates[0], line.candidates[0]], chosen_id: 't1' };
    const stranger = { ...line, chosen_id: 't9' };
    for (const fixture of [repeated, stranger]) {
      expect(validator('DecisionLogLine')(fixture)).toBe(true);
      expect(contracts.DecisionLogLine.safeParse(fixture).success).toBe(false);
    }
  });
});
