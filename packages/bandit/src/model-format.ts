import { ModelFormatError } from './errors.js';

/** Largest model dimension accepted by `create` and `fromJSON`; the policies use d ≤ 12. */
export const MAX_DIMENSION = 1024;

/**
 * Version 1 of the persisted model: the stationary ridge model (γ = 1). `A` is row-major d×d;
 * `n` counts updates. A model with γ = 1 is still written in this form, byte for byte as before
 * the forgetting factor existed, so readers of version 1 keep reading it.
 */
export interface SerializedModelV1 {
  v: 1;
  d: number;
  lambda: number;
  n: number;
  A: number[];
  b: number[];
}

/**
 * Version 2: a discounted model (ADR-0021) with its forgetting factor γ ∈ (0, 1). A reader that
 * only knows version 1 rejects it instead of silently training it as a stationary model.
 */
export interface SerializedModelV2 {
  v: 2;
  d: number;
  lambda: number;
  gamma: number;
  n: number;
  A: number[];
  b: number[];
}

export type SerializedModel = SerializedModelV1 | SerializedModelV2;

/** What `fromJSON` hands the model after validation: A exactly symmetric, every value finite. */
export interface ParsedModel {
  d: number;
  lambda: number;
  /** Forgetting factor, 1 for a version 1 model. */
  gamma: number;
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

/** γ ∈ (0, 1]: 1 keeps every observation at full weight, smaller values forget faster. */
export function isValidGamma(gamma: unknown): gamma is number {
  return typeof gamma === 'number' && gamma > 0 && gamma <= 1;
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
  if (record.v !== 1 && record.v !== 2) {
    throw new ModelFormatError(`model.v: unsupported version ${JSON.stringify(record.v)}`);
  }
  const { d, lambda, n } = record;
  let gamma = 1;
  if (record.v === 2) {
    if (!isValidGamma(record.gamma)) throw new ModelFormatError('model.gamma: expected a number in (0, 1]');
    gamma = record.gamma;
  } else if ('gamma' in record) {
    // Version 1 readers ignore unknown fields, so a γ here would be dropped by some readers and
    // honoured by others; only version 2 may carry it.
    throw new ModelFormatError('model.gamma: only a version 2 model carries a forgetting factor');
  }
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
  return { d, lambda, gamma, n, a, b };
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
