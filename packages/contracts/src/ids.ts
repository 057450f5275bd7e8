import { POLICY_IDS } from '@oo/bandit';
import { z } from 'zod';
import { claimId } from './claim-id.js';

// One character class for every id that may end up in a storage key, a file name or a log line:
// no `/`, `\`, whitespace, NUL or other control characters, and no leading `.` (so `.`, `..`
// and hidden files are impossible). The length bound lives in the pattern too, so a bad id
// yields exactly one issue, and a 10 kB id is rejected after at most 129 characters.
const SAFE_ID_PATTERN = /^[A-Za-z0-9_:@-][A-Za-z0-9._:@-]{0,127}$/;
const SAFE_ID_RULE = "1–128 characters of [A-Za-z0-9._:@-], not starting with '.'";

/** A string schema for an id that is safe to use in a storage key; `field` names it in errors. */
export function safeId(field: string) {
  return z.string().regex(SAFE_ID_PATTERN, { error: `${field} must be ${SAFE_ID_RULE}` });
}

export const UserId = safeId('user_id').meta(
  claimId({
    id: 'UserId',
    description: `The caller's user id: ${SAFE_ID_RULE}. It names the user's state records, so nothing else is accepted.`,
    examples: ['user-42', 'auth0:6512bd43d9caa6e02c990b0a'],
  }),
);
export type UserId = z.infer<typeof UserId>;

export const DecisionId = safeId('decision_id').meta(
  claimId({
    id: 'DecisionId',
    description: `An opaque decision id issued by POST /score* (${SAFE_ID_RULE}).`,
    examples: ['0b8f7d52-6f1e-4c3a-9d2e-5a7c1f0e9b41'],
  }),
);
export type DecisionId = z.infer<typeof DecisionId>;

export const PolicyId = z.enum(POLICY_IDS).meta(
  claimId({
    id: 'PolicyId',
    description:
      'A bandit policy: linucb-v1 (d = 5), egreedy-v1 (d = 7) or egreedy-v2 (d = 12, with profile features).',
  }),
);
export type PolicyId = z.infer<typeof PolicyId>;
