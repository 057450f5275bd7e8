import { ModelFormatError } from './errors.js';

/** Largest model dimension accepted by `create` and `fromJSON`; the policies use d ≤ 12. */
export const MAX_DIMENSION = 1024;

/** Version 1 of the persisted model. `A` is row-major d×d; `n` counts updates. */
export interface SerializedModel {
  v: 1;
  d: number;
  lambda: number;
  n: number;
  A: number[];
  b: number[];
}

/** What `fromJSON` hands the model after validation: A exactly symmetric, every value finite. */
export interface ParsedModel {
  d: number;
  lambda: number;
  n: number;
  a: Float64Array;
  b: Float64Array;
}

// Writers other than this package (or an older one) may round the two triangles differently;
// anything closer than this is the same matrix and is averaged, anything further is rejected.
const SYMMETRY_TOLERANCE = 1e-12;

export function isValidLambda(lambda: unknown): lambda is number {
  // 1/λ must be finite too: the initial inverse is I/λ.
  return typeof lambda === 'number' && lambda > 0 && Number.isFinite(lambda) && Number.isFinite(1 / lambda);
}

export function isValidDimension(d: unknown): d is number {
  return typeof d === 'number' && Number.isInteger(d) && d >= 1 && d <= MAX_DIMENSION;
}

/** Validates version, shapes, finiteness and symmetry. Positive-definiteness is checked by the model. */
export function parseSerializedModel(json: unknown): ParsedModel {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelFormatError('model: expected an object');
  }
  const record = json as Record<string, unknown>;
  if (record.v !== 1) throw new ModelFormatError(`model.v: unsupported version ${JSON.stringify(record.v)}`);
  const { d, lambda, n } = record;
  if (!isValidDimension(d)) {
    throw new ModelFormatError(`model.d: expected an integer in [1, ${MAX_DIMENSION}]`);
  }
  if (!isValidLambda(lambda)) throw new ModelFormatError('model.lambda: expected a positive finite number');
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new ModelFormatError('model.n: expected a non-negative integer');
  }
  const a = finiteArray(record.A, d * d, 'model.A');
  const b = finiteArray(record.b, d, 'model.b');
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const upper = a[i * d + j]!;
      const lower = a[j * d + i]!;
      if (Math.abs(upper - lower) > SYMMETRY_TOLERANCE * Math.max(1, Math.abs(upper), Math.abs(lower))) {
        throw new ModelFormatError(`model.A: not symmetric at (${i}, ${j})`);
      }
      const mean = upper === lower ? upper : (upper + lower) / 2;
      a[i * d + j] = mean;
      a[j * d + i] = mean;
    }
  }
  return { d, lambda, n, a, b };
}

function finiteArray(value: unknown, length: number, field: string): Float64Array {
  if (!Array.isArray(value)) throw new ModelFormatError(`${field}: expected an array`);
  if (value.length !== length) {
    throw new ModelFormatError(`${field}: expected ${length} values, got ${value.length}`);
  }
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const v: unknown = value[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ModelFormatError(`${field}[${i}]: expected a finite number`);
    }
    out[i] = v;
  }
  return out;
}
