import { describe, expect, it } from 'vitest';
import { AgentManifest } from './manifest.js';

const manifest = {
  id: 'tip-generator',
  version: '1.2.0',
  pref_schema: {
    type: 'object',
    properties: { tone: { type: 'string', enum: ['brief', 'friendly'] } },
    additionalProperties: false,
  },
  required_consents: ['llm_processing'],
  ttl_sec: 3600,
  silenced_in_contexts: ['focus', 'do-not-disturb'],
};

function paths(value: unknown) {
  return AgentManifest.safeParse(value).error?.issues.map((i) => i.path) ?? [];
}

describe('AgentManifest', () => {
  it('accepts a manifest and keeps the whole pref_schema', () => {
    expect(AgentManifest.parse(manifest)).toEqual(manifest);
  });

  it('accepts empty consent and context lists', () => {
    expect(
      AgentManifest.safeParse({ ...manifest, required_consents: [], silenced_in_contexts: [] }).success,
    ).toBe(true);
  });

  it.each(['1.0.0', '0.1.0', '10.20.30', '1.0.0-alpha.1', '1.0.0+build.7', '2.0.0-rc.1+sha.5114f85'])(
    'accepts the version %s',
    (version) => {
      expect(paths({ ...manifest, version })).toEqual([]);
    },
  );

  it.each(['1', '1.0', 'v1.0.0', '01.0.0', '1.0.0-', '1.0.0-01', '1.0.0 ', ''])(
    'rejects the version %j',
    (version) => {
      expect(paths({ ...manifest, version })).toEqual([['version']]);
    },
  );

  it.each(['task-nudge', 'a', 'agent2', 'x-1-y'])('accepts the id %s', (id) => {
    expect(paths({ ...manifest, id })).toEqual([]);
  });

  it.each(['TipGenerator', 'tip_generator', '-tip', 'tip-', 'tip--gen', '2tip', '', 'a'.repeat(65)])(
    'rejects the id %j',
    (id) => {
      expect(paths({ ...manifest, id })).toEqual([['id']]);
    },
  );

  it.each([
    ['a non-object schema', { type: 'string' }, ['pref_schema', 'type']],
    ['a schema without type', { properties: {} }, ['pref_schema', 'type']],
    ['a schema given as a string', '{"type":"object"}', ['pref_schema']],
  ])('rejects %s as pref_schema', (_label, pref_schema, path) => {
    expect(paths({ ...manifest, pref_schema })).toEqual([path]);
  });

  it.each([0, -60, 1.5, Number.POSITIVE_INFINITY, '3600'])('rejects ttl_sec %j', (ttl_sec) => {
    expect(paths({ ...manifest, ttl_sec })).toEqual([['ttl_sec']]);
  });

  it('rejects consents and contexts that are not name tokens', () => {
    expect(paths({ ...manifest, required_consents: [''] })).toEqual([['required_consents', 0]]);
    expect(paths({ ...manifest, silenced_in_contexts: ['focus', 'a b'] })).toEqual([
      ['silenced_in_contexts', 1],
    ]);
  });

  it('rejects a manifest missing a field', () => {
    const { ttl_sec: _omitted, ...rest } = manifest;
    expect(paths(rest)).toEqual([['ttl_sec']]);
  });
});
