import type { PolicyId } from '@oo/bandit';
import type { OoClient } from '@oo/client';
import { SimulationError } from './errors.js';
import type { PlayerKind } from './players.js';

/**
 * A policy played over HTTP against a running service, the way the app calls it: POST /score* with
 * the candidates, the decision time and the profile, then POST /reward* by decision_id. The
 * service keeps one model per user id, so every run uses fresh ids (`userId`).
 */
export function httpPolicy(
  client: OoClient,
  policy: PolicyId,
  userId: (seed: number, userIndex: number) => string,
): PlayerKind {
  return {
    id: policy,
    learns: true,
    create({ seed, user }) {
      const user_id = userId(seed, user.index);
      let decisionId = '';
      return {
        async choose(round) {
          const body = {
            user_id,
            candidates: round.candidates.map(({ id, task }) => ({ id, task })),
            now: round.now.toISOString(),
            tz_offset_min: round.tzOffsetMin,
            profile_features: [...round.profile],
          };
          const decision = await client.score(policy, body);
          const index = round.candidates.findIndex((candidate) => candidate.id === decision.chosen_id);
          if (index < 0) {
            throw new SimulationError(
              `${policy} chose ${JSON.stringify(decision.chosen_id)}, which was not a candidate`,
            );
          }
          decisionId = decision.decision_id;
          return index;
        },
        async learn(_round, _index, reward) {
          await client.reward(policy, { user_id, reward, decision_id: decisionId });
        },
      };
    },
  };
}
