import { describe, expect, it } from 'vitest';
import { AgentRegistryResponse, RegisteredAgent } from './registry.js';

const manifest = (id: string, version: string) => ({
  id,
  version,
  pref_schema: { type: 'object' },
  required_consents: [],
  ttl_sec: 3600,
  silenced_in_contexts: [],
});
const agent = (id: string, version = '1.0.0') => ({ id, version, manifest: manifest(id, version) });

describe('RegisteredAgent', () => {
  it('accepts an agent whose manifest matches it', () => {
    expect(RegisteredAgent.parse(agent('task-nudge'))).toEqual(agent('task-nudge'));
  });

  it('rejects an agent whose manifest names another id or version', () => {
    const drifted = { id: 'task-nudge', version: '1.0.0', manifest: manifest('tip-generator', '1.1.0') };
    const result = RegisteredAgent.safeParse(drifted);
    expect(result.error?.issues.map((i) => [i.path, i.message])).toEqual([
      [['manifest', 'id'], 'manifest.id must equal id'],
      [['manifest', 'version'], 'manifest.version must equal version'],
    ]);
  });

  it('rejects an invalid manifest', () => {
    const result = RegisteredAgent.safeParse({
      ...agent('task-nudge'),
      manifest: { ...manifest('task-nudge', '1.0.0'), ttl_sec: 0 },
    });
    expect(result.error?.issues.map((i) => i.path)).toEqual([['manifest', 'ttl_sec']]);
  });
});

describe('AgentRegistryResponse', () => {
  it('accepts the registry, empty or not', () => {
    const registry = { agents: [agent('tip-generator'), agent('task-nudge')] };
    expect(AgentRegistryResponse.parse(registry)).toEqual(registry);
    expect(AgentRegistryResponse.parse({ agents: [] })).toEqual({ agents: [] });
  });

  it('rejects a duplicate agent id', () => {
    const result = AgentRegistryResponse.safeParse({
      agents: [agent('task-nudge'), agent('task-nudge', '2.0.0')],
    });
    expect(result.error?.issues.map((i) => i.path)).toEqual([['agents', 1, 'id']]);
  });

  it('rejects a payload without agents', () => {
    expect(AgentRegistryResponse.safeParse({}).success).toBe(false);
    expect(AgentRegistryResponse.safeParse([agent('task-nudge')]).success).toBe(false);
  });
});
