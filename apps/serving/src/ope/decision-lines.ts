import { DECISION_LOG_FORMAT_VERSION, DecisionLogLine } from '@oo/contracts';
import type { DecisionRecord, UserState } from '@oo/state';

/** A decision that holds every candidate but does not make a valid line (it is left out). */
export interface SkippedDecision {
  user_id: string;
  decision_id: string;
  /** The first failing field of the line, e.g. `candidates[1].features[4]`. */
  field: string;
  message: string;
}

export interface UserDecisionLines {
  /** One NDJSON line (with its `\n`) per exportable decision, oldest first. */
  text: string;
  lines: number;
  skipped: SkippedDecision[];
}

/**
 * A user's decision log as decision log lines (docs/decision-log-format.md): one per decision that
 * logged its candidates (older decisions and those made with DECISION_LOG_CANDIDATES off cannot be
 * evaluated, and are left out), oldest first. Every line is checked with `DecisionLogLine` before
 * it is written, so the export never hands a reader a line it would refuse.
 */
export function userDecisionLines(state: UserState): UserDecisionLines {
  let text = '';
  let lines = 0;
  const skipped: SkippedDecision[] = [];
  for (let i = state.decisions.length - 1; i >= 0; i--) {
    const decision = state.decisions[i]!;
    const line = toLine(state.user_id, decision);
    if (line === null) continue;
    const checked = DecisionLogLine.safeParse(line);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      skipped.push({
        user_id: state.user_id,
        decision_id: decision.decision_id,
        field: fieldPath(issue.path),
        message: issue.message,
      });
      continue;
    }
    text += `${JSON.stringify(line)}\n`;
    lines++;
  }
  return { text, lines, skipped };
}

// Key order as in docs/decision-log-format.md; the numbers are the record's, so as the encoder
// made them.
function toLine(userId: string, decision: DecisionRecord): Record<string, unknown> | null {
  const { candidates } = decision;
  if (candidates === undefined) return null;
  return {
    v: DECISION_LOG_FORMAT_VERSION,
    user_id: userId,
    decision_id: decision.decision_id,
    policy: decision.policy,
    ...(decision.policy_version === undefined ? {} : { policy_version: decision.policy_version }),
    ...(decision.policy_params === undefined ? {} : { policy_params: decision.policy_params }),
    ts: decision.ts,
    expires_at: decision.expires_at,
    candidates: candidates.map((candidate) => ({
      id: candidate.id,
      features: candidateVector(candidate.features, decision.features, decision.shared_columns),
    })),
    chosen_id: decision.chosen_id,
    propensity: decision.propensity,
    reward: decision.reward,
    rewarded_at: decision.rewarded_at,
  };
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path)
    out += typeof part === 'number' ? `[${part}]` : `${out === '' ? '' : '.'}${String(part)}`;
  return out === '' ? '(line)' : out;
}

/**
 * A candidate's whole vector from its record: the chosen one's is the decision's `features`;
 * another's takes the shared columns from `features` and the rest, in order, from its own.
 */
function candidateVector(
  own: readonly number[] | undefined,
  features: readonly number[],
  shared: readonly number[] | undefined,
): number[] {
  if (own === undefined) return [...features];
  if (shared === undefined) return [...own];
  const vector = new Array<number>(features.length);
  let next = 0;
  let s = 0;
  for (let j = 0; j < features.length; j++) {
    if (shared[s] === j) {
      vector[j] = features[j]!;
      s++;
    } else {
      vector[j] = own[next++]!;
    }
  }
  return vector;
}
