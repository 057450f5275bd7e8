import type { UserState } from '../records/user-state.js';

export const COUNTER_POLICY = 'counter';

/**
 * The state after `n` increments: every field derives from `n`, so a reader can tell a record
 * that was written whole from one that mixes two writes.
 */
export function counterState(previous: UserState, n: number, padding: number): UserState {
  return {
    ...previous,
    policies: {
      ...previous.policies,
      [COUNTER_POLICY]: {
        model: { n, pad: new Array<number>(padding).fill(n) },
        n_scores: n,
        n_rewards: 0,
        reward_sum: 0,
        updated_at: new Date(1_700_000_000_000 + n * 1000).toISOString(),
      },
    },
    decisions: [
      {
        decision_id: `d-${n}`,
        policy: COUNTER_POLICY,
        ts: new Date(1_700_000_000_000 + n * 1000).toISOString(),
        expires_at: new Date(1_700_000_600_000 + n * 1000).toISOString(),
        chosen_id: `task-${n}`,
        features: [n, 1, 0.5],
        propensity: 1,
        reward: null,
        rewarded_at: null,
      },
      ...previous.decisions,
    ],
  };
}

export function counterOf(state: UserState): number {
  return state.policies[COUNTER_POLICY]?.n_scores ?? 0;
}
