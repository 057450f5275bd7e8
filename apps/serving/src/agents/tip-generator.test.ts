import { describe, expect, it } from 'vitest';
import { createAgentRegistry } from './registry.js';
import { agent, MANIFEST } from './tip-generator.js';

describe('the tip-generator agent module', () => {
  const entry = createAgentRegistry([{ MANIFEST, agent }]).require('tip-generator');

  it('passes the registry: manifest valid, pref_schema compiles, id and version agree', () => {
    expect(entry.manifest).toEqual(MANIFEST);
    expect([agent.id, agent.version]).toEqual([MANIFEST.id, MANIFEST.version]);
  });

  it('requires the llm_processing consent, since task titles leave the service (SPEC §5)', () => {
    expect(MANIFEST.required_consents).toEqual(['llm_processing']);
  });

  it('asks the gateway for the tip-generator model alias', () => {
    expect(agent.model).toBe('tip-generator');
  });

  it.each([
    {},
    { tone: 'playful' },
    { language: 'de-CH' },
    { tone: 'direct', language: 'pt-BR' },
    { language: 'zh-Hant-TW' },
  ])('accepts the prefs %j', (prefs) => {
    expect(entry.validatePrefs(prefs)).toEqual([]);
  });

  it.each([
    [{ tone: 'angry' }, 'prefs.tone'],
    [{ language: 'en_US' }, 'prefs.language'],
    [{ language: 'e' }, 'prefs.language'],
    [{ tone: 3 }, 'prefs.tone'],
    [{ verbosity: 'high' }, 'prefs.verbosity'],
  ])('rejects the prefs %j at %s', (prefs, path) => {
    expect(entry.validatePrefs(prefs).map((issue) => issue.path)).toContain(path);
  });
});
