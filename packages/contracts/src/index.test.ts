import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as contracts from './index.js';

// docs/architecture.md §@oo/contracts: the names every caller codes against.
const SCHEMA_EXPORTS = [
  'AgentManifest',
  'AgentRegistryResponse',
  'CandidateScore',
  'ConsumerFigures',
  'DecisionExportQuery',
  'DecisionId',
  'DecisionLogEntry',
  'DecisionLogLine',
  'ErrorBody',
  'FeaturesResponse',
  'FeedbackEvent',
  'GenerateRequest',
  'GenerateResponse',
  'HealthResponse',
  'OpeReport',
  'OpeRequest',
  'PolicyId',
  'RegisteredAgent',
  'ResetResponse',
  'RewardRequest',
  'RewardResponse',
  'ScoreCandidate',
  'ScoreRequest',
  'ScoreRequestWithProfile',
  'ScoreResponse',
  'SilencedResponse',
  'StatsResponse',
  'TaskFeatures',
  'TaskSyncedEvent',
  'TipCandidate',
  'TipFeedbackEvent',
  'UserId',
];
const OTHER_EXPORTS = [
  'DECISION_LOG_FORMAT_VERSION',
  'ERROR_CODES',
  'OPE_DEFAULT_MAX_DECISIONS',
  'OPE_MAX_DECISIONS',
  'OPE_MODEL_KINDS',
  'OPE_TARGET_KINDS',
  'EVENT_SUBJECTS',
  'eventSchemaForSubject',
];

describe('@oo/contracts public API', () => {
  it('exports exactly the names of docs/architecture.md', () => {
    expect(Object.keys(contracts).sort()).toEqual([...SCHEMA_EXPORTS, ...OTHER_EXPORTS].sort());
  });

  it.each(SCHEMA_EXPORTS)('%s is a zod schema registered under its own name, with a description', (name) => {
    const schema = (contracts as Record<string, unknown>)[name];
    expect(schema).toBeInstanceOf(z.ZodType);
    const meta = z.globalRegistry.get(schema as z.ZodType);
    expect(meta?.id).toBe(name);
    expect(meta?.description?.length).toBeGreaterThan(10);
  });

  it.each(SCHEMA_EXPORTS)('%s converts to JSON Schema draft 2020-12', (name) => {
    const schema = (contracts as Record<string, unknown>)[name] as z.ZodType;
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' });
    expect(json.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });
});
