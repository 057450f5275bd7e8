// The request mix of issue 7: `POST /score/egreedy` with 10 candidates for 1,000 distinct users,
// and one `POST /reward/egreedy` by `decision_id` per five scores. Bodies are assembled from
// pre-serialised parts so the load generator spends its time sending, not building JSON.

export interface MixOptions {
  /** Distinct user ids the scores are spread over, uniformly at random. */
  users: number;
  /** Candidates per score request. */
  candidates: number;
  /** Score requests per reward request. */
  scoresPerReward: number;
  /** The score endpoint: `/score` (d = 5), `/score/egreedy` (d = 7), `/score/egreedy/v2` (d = 12). */
  scorePath: string;
  /** Prefix of the user ids, so two runs over one store can keep their users apart. */
  userPrefix: string;
}

export const DEFAULT_MIX: MixOptions = {
  users: 1_000,
  candidates: 10,
  scoresPerReward: 5,
  scorePath: '/score/egreedy',
  userPrefix: 'bench-user-',
};

export interface MixRequest {
  kind: 'score' | 'reward';
  path: string;
  body: string;
  userId: string;
}

/** A decision the service made, waiting to be rewarded. */
export interface Decision {
  userId: string;
  decisionId: string;
}

const REWARDS = [1, 0, -1, 0.5, 0, 1];
const PROFILE = '[0.5,0.25,0.75,0.1,0.9]';

/** The reward path that goes with a score path (`/score/egreedy` → `/reward/egreedy`). */
export function rewardPathFor(scorePath: string): string {
  return scorePath.replace(/^\/score/, '/reward');
}

/**
 * `count` candidates with varied tasks (priorities, due dates in the past and future, ages), as
 * the JSON text of the `candidates` array. Several variants so requests are not all identical.
 */
export function candidatesJson(count: number, variant: number): string {
  const base = Date.UTC(2025, 0, 1);
  const day = 86_400_000;
  const list = Array.from({ length: count }, (_, i) => {
    const k = i + variant * 7;
    return {
      id: `task-${variant}-${i}`,
      task: {
        due_at: k % 3 === 0 ? null : new Date(base + ((k * 5) % 90) * day).toISOString(),
        created_at: new Date(base - ((k * 11) % 60) * day).toISOString(),
        priority: (k % 4) + 1,
      },
    };
  });
  return JSON.stringify(list);
}

/** Builds the bodies of the mix; `next` gives the request for slot `i` of the run. */
export class Mix {
  readonly options: MixOptions;
  readonly rewardPath: string;
  readonly #candidates: string[];
  readonly #needsProfile: boolean;
  #variant = 0;

  constructor(options: MixOptions) {
    this.options = options;
    this.rewardPath = rewardPathFor(options.scorePath);
    this.#candidates = Array.from({ length: 16 }, (_, v) => candidatesJson(options.candidates, v));
    this.#needsProfile = options.scorePath.endsWith('/v2');
  }

  userId(index: number): string {
    return `${this.options.userPrefix}${index}`;
  }

  randomUser(): string {
    return this.userId(Math.floor(Math.random() * this.options.users));
  }

  score(userId = this.randomUser()): MixRequest {
    this.#variant = (this.#variant + 1) % this.#candidates.length;
    const profile = this.#needsProfile ? `,"profile_features":${PROFILE}` : '';
    return {
      kind: 'score',
      path: this.options.scorePath,
      userId,
      body: `{"user_id":"${userId}","tz_offset_min":60${profile},"candidates":${this.#candidates[this.#variant]}}`,
    };
  }

  reward(decision: Decision, slot: number): MixRequest {
    const reward = REWARDS[slot % REWARDS.length]!;
    return {
      kind: 'reward',
      path: this.rewardPath,
      userId: decision.userId,
      body: `{"user_id":"${decision.userId}","decision_id":"${decision.decisionId}","reward":${reward}}`,
    };
  }

  /** Whether slot `i` of a run is a reward (the last of every `scoresPerReward + 1`). */
  isRewardSlot(i: number): boolean {
    const period = this.options.scoresPerReward + 1;
    return this.options.scoresPerReward > 0 && i % period === period - 1;
  }
}

const DECISION_ID = /"decision_id":"([^"]+)"/;

/** The decision id of a score response, without parsing the whole body. */
export function decisionIdOf(body: string): string | undefined {
  return DECISION_ID.exec(body)?.[1];
}
