import { BanditError } from '@oo/bandit';
import { type LineIssue, LogInputError, type OpeOptions, type OpeReport } from '@oo/ope';

/** What the evaluation worker starts with (`workerData`). */
export interface OpeWorkerInput {
  options: OpeOptions;
}

/**
 * The worker pulls the log one chunk at a time, so the main thread reads the store only as fast
 * as the evaluation consumes it: neither thread ever holds the whole log text.
 */
export type ToOpeWorker = { type: 'chunk'; text: string } | { type: 'end' };

export type FromOpeWorker =
  | { type: 'pull' }
  | { type: 'done'; report: OpeReport }
  | { type: 'failed'; error: WireError };

/**
 * An error as data: a structured clone keeps neither the class nor fields such as `issue` or
 * `field`, which are what the route maps to a 422 on the right request field.
 */
export type WireError =
  | { kind: 'log_input'; message: string; issue?: LineIssue }
  | { kind: 'bandit'; name: string; message: string; field?: string }
  | { kind: 'other'; name: string; message: string; stack?: string };

export function toWireError(error: unknown): WireError {
  if (error instanceof LogInputError) {
    return { kind: 'log_input', message: error.message, ...(error.issue ? { issue: error.issue } : {}) };
  }
  if (error instanceof BanditError) {
    const field = (error as BanditError & { field?: unknown }).field;
    return {
      kind: 'bandit',
      name: error.name,
      message: error.message,
      ...(typeof field === 'string' ? { field } : {}),
    };
  }
  if (error instanceof Error) {
    return {
      kind: 'other',
      name: error.name,
      message: error.message,
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  return { kind: 'other', name: 'Error', message: String(error) };
}

/** A @oo/bandit error rebuilt from the worker's report: its name, message and `field` as thrown. */
export class RemoteBanditError extends BanditError {
  constructor(
    name: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = name;
  }
}

/** What failed in the worker other than the input: a bug, answered 500 (the stack only logged). */
export class OpeWorkerError extends Error {
  override readonly name = 'OpeWorkerError';
}

export function fromWireError(wire: WireError): Error {
  switch (wire.kind) {
    case 'log_input':
      return new LogInputError(wire.message, wire.issue);
    case 'bandit':
      return new RemoteBanditError(wire.name, wire.message, wire.field);
    case 'other': {
      const error = new OpeWorkerError(`${wire.name}: ${wire.message}`);
      if (wire.stack !== undefined) error.stack = wire.stack;
      return error;
    }
  }
}
