import { DimensionError, InvalidInputError, NonFiniteError } from '../errors.js';
import { assertVector } from '../validate.js';

/** One logged decision of the logging (active) policy, what off-policy evaluation reads. */
export interface LoggedDecision {
  /** Every candidate's feature vector in the logging policy's encoding: K vectors of d numbers. */
  readonly candidates: readonly ArrayLike<number>[];
  /** Index into `candidates` of the one the logging policy showed. */
  readonly chosen: number;
  /** Probability with which the logging policy chose it, in (0, 1] (`Decision.propensity`). */
  readonly propensity: number;
  /** The reward observed for it. */
  readonly reward: number;
}

/**
 * A log after validation: every candidate copied into one Float64Array (so the kernels only ever
 * see one element kind), each decision's candidates as views into it.
 */
export interface CheckedLog<D extends LoggedDecision> {
  readonly decisions: readonly D[];
  readonly d: number;
  readonly candidates: readonly (readonly Float64Array[])[];
  readonly chosen: Int32Array;
  readonly propensity: Float64Array;
  readonly reward: Float64Array;
}

/** Fewest decisions an estimate accepts: a standard error needs two. */
export const MIN_DECISIONS = 2;

/**
 * Validates a decision log and copies its numbers into typed arrays. Every check runs before any
 * estimate: a bad entry names its place, e.g. `log[3].candidates[1][4]`.
 * @throws InvalidInputError, DimensionError, NonFiniteError
 */
export function checkLog<D extends LoggedDecision>(log: readonly D[]): CheckedLog<D> {
  if (!Array.isArray(log)) throw new InvalidInputError('log', 'expected an array of logged decisions');
  const n = log.length;
  if (n < MIN_DECISIONS) {
    throw new InvalidInputError('log', `expected at least ${MIN_DECISIONS} decisions, got ${n}`);
  }
  let d = -1;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const entry: unknown = log[i];
    if (typeof entry !== 'object' || entry === null) {
      throw new InvalidInputError(`log[${i}]`, 'expected a logged decision object');
    }
    const { candidates, chosen, propensity, reward } = entry as LoggedDecision;
    if (!Array.isArray(candidates) || candidates.length === 0) {
      throw new InvalidInputError(`log[${i}].candidates`, 'expected at least one candidate');
    }
    if (d < 0) {
      const first = (candidates[0] as { length?: unknown } | null | undefined)?.length;
      if (typeof first !== 'number' || first < 1) {
        throw new DimensionError(`log[${i}].candidates[0]`, 1, typeof first === 'number' ? first : null);
      }
      d = first;
    }
    for (let j = 0; j < candidates.length; j++) assertVector(candidates[j], d, `log[${i}].candidates`, j);
    if (!(Number.isInteger(chosen) && chosen >= 0 && chosen < candidates.length)) {
      throw new InvalidInputError(`log[${i}].chosen`, `expected an integer in [0, ${candidates.length})`);
    }
    if (!Number.isFinite(propensity)) throw new NonFiniteError(`log[${i}].propensity`);
    if (!(propensity > 0 && propensity <= 1)) {
      throw new InvalidInputError(`log[${i}].propensity`, 'expected a probability in (0, 1]');
    }
    if (!Number.isFinite(reward)) throw new NonFiniteError(`log[${i}].reward`);
    total += candidates.length;
  }

  const flat = new Float64Array(total * d);
  const views: Float64Array[][] = [];
  const chosen = new Int32Array(n);
  const propensity = new Float64Array(n);
  const reward = new Float64Array(n);
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const decision = log[i]!;
    const row: Float64Array[] = [];
    for (const x of decision.candidates) {
      for (let k = 0; k < d; k++) flat[offset + k] = x[k]!;
      row.push(flat.subarray(offset, offset + d));
      offset += d;
    }
    views.push(row);
    chosen[i] = decision.chosen;
    propensity[i] = decision.propensity;
    reward[i] = decision.reward;
  }
  return { decisions: log, d, candidates: views, chosen, propensity, reward };
}
