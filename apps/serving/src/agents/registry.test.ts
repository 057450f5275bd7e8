import { AgentRegistryResponse } from '@oo/contracts';
import { describe, expect, it } from 'vitest';
import type { AgentModule } from './agent.js';
import { AgentRegistryError, createAgentRegistry } from './registry.js';
import * as tipGenerator from './tip-generator.js';

function fixture(
  overrides: { manifest?: Record<string, unknown>; agent?: Record<string, unknown> } = {},
): AgentModule {
  return {
    MANIFEST: {
      id: 'focus-coach',
      version: '2.1.0',
      pref_schema: { type: 'object', properties: { minutes: { type: 'integer', minimum: 5 } } },
      required_consents: [],
      ttl_sec: 600,
      silenced_in_contexts: ['meeting'],
      ...overrides.manifest,
    },
    agent: {
      id: 'focus-coach',
      version: '2.1.0',
      description: 'test agent',
      ...overrides.agent,
    } as AgentModule['agent'],
  };
}

function registryError(modules: readonly AgentModule[]): AgentRegistryError {
  try {
    createAgentRegistry(modules);
  } catch (error) {
    if (error instanceof AgentRegistryError) return error;
    throw error;
  }
  throw new Error('expected createAgentRegistry to throw');
}

describe('createAgentRegistry', () => {
  it('lists every agent with its manifest, in registration order, as the contract describes', () => {
    const registry = createAgentRegistry([tipGenerator, fixture()]);

    const agents = registry.list();

    expect(agents.map((a) => [a.id, a.version])).toEqual([
      ['tip-generator', '1.0.0'],
      ['focus-coach', '2.1.0'],
    ]);
    expect(agents[0]?.manifest).toEqual(tipGenerator.MANIFEST);
    expect(AgentRegistryResponse.safeParse({ agents }).success).toBe(true);
  });

  it('hands out copies: a caller mutating the listing cannot change the registry', () => {
    const registry = createAgentRegistry([tipGenerator]);

    const listed = registry.list();
    listed[0]!.manifest.silenced_in_contexts.push('everywhere');

    expect(registry.list()[0]?.manifest.silenced_in_contexts).toEqual(
      tipGenerator.MANIFEST.silenced_in_contexts,
    );
    expect(Object.isFrozen(registry.require('tip-generator').manifest.silenced_in_contexts)).toBe(true);
  });

  it('finds agents by id and nothing else', () => {
    const registry = createAgentRegistry([tipGenerator]);

    expect(registry.get('tip-generator')?.agent).toBe(tipGenerator.agent);
    expect(registry.get('task-nudge')).toBeUndefined();
    expect(registry.get('__proto__')).toBeUndefined();
    expect(() => registry.require('task-nudge')).toThrow('agent "task-nudge" is not registered');
  });

  it('rejects a manifest version that drifted from the agent, naming both', () => {
    const error = registryError([
      { MANIFEST: { ...tipGenerator.MANIFEST, version: '1.0.1' }, agent: tipGenerator.agent },
    ]);

    expect(error.message).toBe(
      'agent "tip-generator": manifest.version "1.0.1" does not match agent version "1.0.0"',
    );
    expect(error.problems).toEqual([
      { agent: '"tip-generator"', field: 'manifest.version', message: expect.stringContaining('"1.0.1"') },
    ]);
  });

  it('rejects a manifest id that differs from the agent id', () => {
    const error = registryError([fixture({ manifest: { id: 'focus-coach-2' } })]);

    expect(error.message).toBe(
      'agent "focus-coach": manifest.id "focus-coach-2" does not match agent id "focus-coach"',
    );
  });

  it.each([
    ['ttl_sec', { ttl_sec: 0 }, 'manifest.ttl_sec'],
    ['ttl_sec', { ttl_sec: 1.5 }, 'manifest.ttl_sec'],
    ['version', { version: 'v1' }, 'manifest.version'],
    ['required_consents', { required_consents: 'llm_processing' }, 'manifest.required_consents'],
    ['silenced_in_contexts', { silenced_in_contexts: ['a b'] }, 'manifest.silenced_in_contexts.0'],
    ['pref_schema', { pref_schema: { type: 'string' } }, 'manifest.pref_schema.type'],
    ['id', { id: 'Focus Coach' }, 'manifest.id'],
  ])('rejects an invalid manifest (%s), naming the field', (_label, manifest, field) => {
    const error = registryError([fixture({ manifest })]);

    expect(error.problems[0]).toMatchObject({ agent: '"focus-coach"', field });
    expect(error.message).toContain(`agent "focus-coach": ${field} is invalid`);
  });

  it('rejects a missing manifest', () => {
    const error = registryError([{ MANIFEST: undefined, agent: tipGenerator.agent }]);

    expect(error.message).toMatch(/^agent "tip-generator": manifest is invalid/);
  });

  it.each([
    [
      'an unknown type',
      { type: 'object', properties: { minutes: { type: 'int' } } },
      /must be equal to one of the allowed values/,
    ],
    ['an unknown keyword (strict mode)', { type: 'object', colour: 'red' }, /unknown keyword: "colour"/],
    [
      'a dangling $ref',
      { type: 'object', properties: { a: { $ref: '#/$defs/missing' } } },
      /can't resolve reference/,
    ],
    [
      'an unknown format',
      { type: 'object', properties: { a: { type: 'string', format: 'postcode' } } },
      /unknown format "postcode"/,
    ],
    [
      'a malformed pattern',
      { type: 'object', properties: { a: { type: 'string', pattern: '([a-z' } } },
      /Invalid regular expression/,
    ],
  ])('rejects a pref_schema with %s as not a valid JSON Schema', (_label, pref_schema, detail) => {
    const error = registryError([fixture({ manifest: { pref_schema } })]);

    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ agent: '"focus-coach"', field: 'manifest.pref_schema' });
    expect(error.message).toMatch(/^agent "focus-coach": manifest.pref_schema is not a valid JSON Schema: /);
    expect(error.message).toMatch(detail);
  });

  it('rejects a duplicate id', () => {
    const error = registryError([tipGenerator, fixture(), tipGenerator]);

    expect(error.message).toBe(
      'agent "tip-generator": manifest.id "tip-generator" is already registered by an earlier agent',
    );
  });

  it('reports every problem at once', () => {
    const error = registryError([
      fixture({ manifest: { version: '2.2.0' } }),
      { MANIFEST: tipGenerator.MANIFEST, agent: { id: '', version: '1.0.0', description: 'broken' } },
    ]);

    expect(error.problems.map((p) => `${p.agent} ${p.field}`)).toEqual([
      '"focus-coach" manifest.version',
      '#1 agent.id',
      '#1 manifest.id',
    ]);
    expect(error.message.split('\n')[0]).toBe('3 agent registry problems:');
  });

  it('accepts the standard formats of ajv-formats in a pref_schema', () => {
    const registry = createAgentRegistry([
      fixture({
        manifest: {
          pref_schema: {
            type: 'object',
            properties: { quiet_until: { type: 'string', format: 'date-time' } },
          },
        },
      }),
    ]);

    const { validatePrefs } = registry.require('focus-coach');

    expect(validatePrefs({ quiet_until: '2025-03-03T18:00:00Z' })).toEqual([]);
    expect(validatePrefs({ quiet_until: 'tonight' })).toEqual([
      { path: 'prefs.quiet_until', message: 'must match format "date-time"' },
    ]);
  });
});

describe('AgentEntry.validatePrefs', () => {
  const registry = createAgentRegistry([
    fixture({
      manifest: {
        pref_schema: {
          type: 'object',
          required: ['minutes'],
          properties: {
            minutes: { type: 'integer', minimum: 5 },
            'a/b~c': { type: 'boolean' },
            schedule: { type: 'object', properties: { days: { type: 'array', items: { type: 'integer' } } } },
          },
          additionalProperties: false,
        },
      },
    }),
  ]);
  const { validatePrefs } = registry.require('focus-coach');

  it('accepts prefs that match', () => {
    expect(validatePrefs({ minutes: 25, schedule: { days: [1, 2] } })).toEqual([]);
  });

  it('names every offending field as a prefs.* path', () => {
    expect(
      validatePrefs({ minutes: 2, colour: 'red', 'a/b~c': 'yes', schedule: { days: [1, 'tue'] } }),
    ).toEqual([
      { path: 'prefs.colour', message: 'is not a known preference' },
      { path: 'prefs.minutes', message: 'must be >= 5' },
      { path: 'prefs.a/b~c', message: 'must be boolean' },
      { path: 'prefs.schedule.days.1', message: 'must be integer' },
    ]);
  });

  it('names a missing required preference', () => {
    expect(validatePrefs({})).toEqual([
      { path: 'prefs.minutes', message: "must have required property 'minutes'" },
    ]);
  });
});
