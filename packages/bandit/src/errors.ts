// Typed errors (STYLE habit 5). Every check that raises one runs before any state is touched, so a
// rejected input never reaches A, b or the cached inverse.

/** Base class of every error this package throws on purpose. */
export class BanditError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A vector, matrix or feature list has the wrong length for the model or policy. */
export class DimensionError extends BanditError {
  constructor(
    readonly field: string,
    readonly expected: number,
    /** The length received, or null when the value was not array-like at all. */
    readonly actual: number | null,
  ) {
    super(`${field}: expected ${expected} values, got ${actual === null ? 'no array' : actual}`);
  }
}

/** A value is NaN, ±Infinity or not a number at all, or an update would overflow to one. */
export class NonFiniteError extends BanditError {
  constructor(
    readonly field: string,
    detail = 'must be a finite number',
  ) {
    super(`${field}: ${detail}`);
  }
}

/** A serialised model failed validation in `LinearModel.fromJSON`. */
export class ModelFormatError extends BanditError {}

/** An encoder or policy input is outside its domain (bad date, priority, offset, ε, α, …). */
export class InvalidInputError extends BanditError {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}
