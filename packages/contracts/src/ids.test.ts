import { type PolicyId as BanditPolicyId, POLICY_IDS } from '@oo/bandit';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { DecisionId, PolicyId, UserId } from './ids.js';

const RULE = "user_id must be 1–128 characters of [A-Za-z0-9._:@-], not starting with '.'";

describe('UserId', () => {
  it.each([
    'a',
    'user-42',
    'auth0:6512bd43d9caa6e02c990b0a',
    'jane.doe@example.com',
    'a..b',
    'x.',
    '_leading-underscore',
    '-',
    'A'.repeat(128),
  ])('accepts %j', (id) => {
    expect(UserId.parse(id)).toBe(id);
  });

  it.each([
    ['empty', ''],
    ['hidden file', '.hidden'],
    ['dot', '.'],
    ['dot-dot', '..'],
    ['traversal', '../x'],
    ['slash', 'a/b'],
    ['backslash', 'a\\b'],
    ['NUL', 'a\u0000b'],
    ['newline', 'a\nb'],
    ['space', 'a b'],
    ['accented letter', 'josé'],
    ['CJK', '日本'],
    ['emoji', 'user🙂'],
    ['129 characters', 'a'.repeat(129)],
    ['10 kB', 'a'.repeat(10_240)],
  ])('rejects %s with one issue naming the rule', (_label, id) => {
    const result = UserId.safeParse(id);
    expect(result.success).toBe(false);
    expect(result.error?.issues).toHaveLength(1);
    expect(result.error?.issues[0]?.message).toBe(RULE);
  });

  it.each([42, null, undefined, ['a'], { id: 'a' }])('rejects the non-string %j', (value) => {
    expect(UserId.safeParse(value).success).toBe(false);
  });
});

describe('DecisionId', () => {
  it('accepts a UUID', () => {
    expect(DecisionId.parse('0b8f7d52-6f1e-4c3a-9d2e-5a7c1f0e9b41')).toBe(
      '0b8f7d52-6f1e-4c3a-9d2e-5a7c1f0e9b41',
    );
  });

  it.each(['', '../d', 'a/b', '.d', 'd'.repeat(129)])('rejects %j, naming decision_id', (id) => {
    const result = DecisionId.safeParse(id);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/^decision_id must be/);
  });
});

describe('PolicyId', () => {
  it('accepts exactly the policies of @oo/bandit', () => {
    expect(PolicyId.options).toEqual([...POLICY_IDS]);
    for (const id of POLICY_IDS) expect(PolicyId.parse(id)).toBe(id);
    expectTypeOf<PolicyId>().toEqualTypeOf<BanditPolicyId>();
  });

  it.each(['linucb-v2', 'LINUCB-V1', '', 'egreedy'])('rejects %j', (id) => {
    expect(PolicyId.safeParse(id).success).toBe(false);
  });
});
