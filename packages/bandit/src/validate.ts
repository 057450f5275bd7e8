import { DimensionError, NonFiniteError } from './errors.js';

/**
 * Throws unless `x` is array-like with exactly `d` finite numbers. Shared by the model and the
 * policies so every entry point rejects the same inputs with the same errors. `index` names an
 * element of a list (`field[index]`); the name is only built when an error is thrown, because
 * `decide` calls this once per candidate.
 */
export function assertVector(
  x: unknown,
  d: number,
  field: string,
  index = -1,
): asserts x is ArrayLike<number> {
  const length = (x as { length?: unknown } | null | undefined)?.length;
  if (typeof x !== 'object' || x === null || typeof length !== 'number') {
    throw new DimensionError(name(field, index), d, null);
  }
  if (length !== d) throw new DimensionError(name(field, index), d, length);
  const values = x as ArrayLike<unknown>;
  for (let i = 0; i < d; i++) {
    // Number.isFinite is false for non-numbers too, so strings from untyped JSON are caught here.
    if (!Number.isFinite(values[i])) throw new NonFiniteError(`${name(field, index)}[${i}]`);
  }
}

/** Throws NonFiniteError unless `value` is a finite number. */
export function assertFinite(value: unknown, field: string): asserts value is number {
  if (!Number.isFinite(value)) throw new NonFiniteError(field);
}

function name(field: string, index: number): string {
  return index < 0 ? field : `${field}[${index}]`;
}
