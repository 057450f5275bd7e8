// Users in the steady state of a long-running service: a trained egreedy-v1 model and a full
// decision log (100 decisions), written through @oo/state itself so the records are exactly what
// the service reads. Without this, a 30 s run would only ever see short logs and small records.
import { randomUUID } from 'node:crypto';
import { LinearModel, POLICIES } from '@oo/bandit';
import {
  DECISION_LOG_SIZE,
  type DecisionRecord,
  type StateStore,
  StoreUnavailableError,
  type UserState,
} from '@oo/state';

const POLICY = POLICIES['egreedy-v1'];
const DAY = 86_400_000;

/** The state of a user who has been scored `DECISION_LOG_SIZE` times and rewarded 30 times. */
export function steadyState(userId: string, now: Date): UserState {
  const model = LinearModel.create(POLICY.d, POLICY.defaults.lambda);
  const decisions: DecisionRecord[] = [];
  for (let i = 0; i < DECISION_LOG_SIZE; i++) {
    const ts = new Date(now.getTime() - i * 60_000);
    const features = POLICY.encode(
      {
        due_at: i % 3 === 0 ? null : new Date(ts.getTime() + ((i % 7) - 3) * DAY).toISOString(),
        created_at: new Date(ts.getTime() - (i % 40) * DAY).toISOString(),
        priority: ((i % 4) + 1) as 1 | 2 | 3 | 4,
      },
      { now: ts, tz_offset_min: 60 },
    );
    const rewarded = i >= 70;
    const reward = rewarded ? (i % 3) - 1 : null;
    if (reward !== null) model.update(features, reward);
    decisions.push({
      decision_id: randomUUID(),
      policy: POLICY.id,
      ts: ts.toISOString(),
      expires_at: new Date(ts.getTime() + 600_000).toISOString(),
      chosen_id: `task-${i % 10}`,
      features: Array.from(features),
      propensity: 0.91,
      reward,
      rewarded_at: rewarded ? ts.toISOString() : null,
    });
  }
  return {
    v: 1,
    user_id: userId,
    policies: {
      [POLICY.id]: {
        model: model.toJSON() as unknown as Record<string, unknown>,
        n_scores: DECISION_LOG_SIZE,
        n_rewards: 30,
        reward_sum: 0,
        updated_at: now.toISOString(),
      },
    },
    decisions,
  };
}

/** Writes the steady state of `count` users named `userId(i)`, `concurrency` at a time. */
export async function seedUsers(
  store: StateStore,
  count: number,
  userId: (i: number) => string,
  concurrency = 32,
): Promise<void> {
  const now = new Date();
  const template = steadyState('template', now);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const id = userId(next++);
      // One template with fresh decision ids per user: building 100k models would dominate.
      const state: UserState = {
        ...template,
        user_id: id,
        decisions: template.decisions.map((decision) => ({ ...decision, decision_id: randomUUID() })),
      };
      // A loaded machine can push a write past the store's time-outs: try again, as a client would.
      for (let attempt = 1; ; attempt++) {
        try {
          await store.updateUser(id, () => ({ result: null, state }));
          break;
        } catch (error) {
          if (!(error instanceof StoreUnavailableError) || attempt >= 5) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
