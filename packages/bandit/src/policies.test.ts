import { describe, expect, it } from 'vitest';
import { isPolicyId, POLICIES, POLICY_IDS } from './policies.js';

describe('the policy table', () => {
  it('holds the three SPEC policies in order', () => {
    expect(POLICY_IDS).toEqual(['linucb-v1', 'egreedy-v1', 'egreedy-v2']);
    expect(Object.keys(POLICIES)).toEqual([...POLICY_IDS]);
  });

  it.each([
    ['linucb-v1', 5, 'linucb', { lambda: 1, gamma: 1, alpha: 1 }],
    ['egreedy-v1', 7, 'egreedy', { lambda: 1, gamma: 1, epsilon: 0.1 }],
    ['egreedy-v2', 12, 'egreedy', { lambda: 1, gamma: 1, epsilon: 0.1 }],
  ] as const)('%s: d = %i, kind %s, SPEC defaults', (id, d, kind, defaults) => {
    const spec = POLICIES[id];
    expect(spec).toMatchObject({ id, d, kind, version: '1.0.0' });
    expect(spec.defaults).toEqual(defaults);
    expect(spec.features).toHaveLength(d);
  });

  it('names the features in vector order', () => {
    expect(POLICIES['egreedy-v2'].features).toEqual([
      'hour_sin',
      'hour_cos',
      'is_overdue',
      'task_age',
      'priority',
      'dow_sin',
      'dow_cos',
      'completion_rate_7d',
      'tip_accept_rate_30d',
      'active_hour_overlap',
      'backlog_pressure',
      'engagement_streak',
    ]);
  });

  it('cannot be changed at run time by a caller', () => {
    expect(Object.isFrozen(POLICIES)).toBe(true);
    for (const id of POLICY_IDS) {
      expect(Object.isFrozen(POLICIES[id])).toBe(true);
      expect(Object.isFrozen(POLICIES[id].defaults)).toBe(true);
      expect(Object.isFrozen(POLICIES[id].features)).toBe(true);
    }
  });

  it('recognises policy ids', () => {
    expect(POLICY_IDS.every(isPolicyId)).toBe(true);
    expect(['linucb', 'egreedy-v3', '', 5, null].some(isPolicyId)).toBe(false);
  });
});
