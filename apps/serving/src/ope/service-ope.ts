import { BanditError } from '@oo/bandit';
import { OPE_DEFAULT_MAX_DECISIONS, OPE_MAX_DECISIONS, type OpeReport, type OpeRequest } from '@oo/contracts';
import { LogInputError, type OpeOptions, parseOpeArgs } from '@oo/ope';
import type { StateStore } from '@oo/state';
import { ValidationError } from '../errors.js';
import { type DecisionExportOptions, exportDecisionLog } from './decision-export.js';
import { type OpeEvaluator, processOpeEvaluator } from './ope-evaluator.js';

// Where an estimator's option (the `field` of a @oo/bandit error) comes from in the request body.
const BODY_FIELDS: Readonly<Record<string, string>> = { epsilon: 'epsilons' };

export interface ServiceOpeHooks extends Pick<DecisionExportOptions, 'onSkippedDecision' | 'onCorruptUser'> {
  /** The whole selection has been read (`decisions` lines) and handed over; only estimation is left. */
  onLogRead?: (decisions: number) => void;
}

/**
 * Off-policy evaluation of the service's own decision log: the lines GET /admin/decisions would
 * stream, read here from the store and evaluated in a worker thread by exactly the code `pnpm ope`
 * runs (`evaluateLog` of @oo/ope), with the CLI's defaults for every option the request leaves
 * out. At most `max_decisions` lines are read.
 * @throws ValidationError (422) naming the field: a log over `max_decisions`, nothing to evaluate,
 *   an option an estimator refuses
 * @throws OpeUnavailableError (503) while another evaluation runs on this process, or past its time limit
 */
export async function evaluateServiceLog(
  store: StateStore,
  request: OpeRequest,
  hooks: ServiceOpeHooks = {},
  evaluator: OpeEvaluator = processOpeEvaluator,
): Promise<OpeReport> {
  const options = opeOptions(request);
  const maxDecisions = request.max_decisions ?? OPE_DEFAULT_MAX_DECISIONS;
  let lines = 0;
  let overCap = false;
  // The store's own error is kept so it maps as every store error does (503).
  let storeFailure: unknown;
  async function* log(): AsyncGenerator<string> {
    try {
      for await (const chunk of exportDecisionLog(store, {
        ...(hooks.onSkippedDecision ? { onSkippedDecision: hooks.onSkippedDecision } : {}),
        ...(hooks.onCorruptUser ? { onCorruptUser: hooks.onCorruptUser } : {}),
        ...(request.user_id === undefined ? {} : { userId: request.user_id }),
      })) {
        lines += countLines(chunk);
        if (lines > maxDecisions) {
          // Stops the reader at once: nothing past the bound is read or evaluated.
          overCap = true;
          throw tooLarge(maxDecisions);
        }
        yield chunk;
      }
    } catch (error) {
      if (!overCap) storeFailure = error;
      throw error;
    }
    hooks.onLogRead?.(lines);
  }
  let report: OpeReport;
  try {
    report = await evaluator.evaluate(options, log());
  } catch (error) {
    if (overCap) throw tooLarge(maxDecisions);
    if (storeFailure !== undefined) throw storeFailure;
    throw toOpeInputError(error, request);
  }
  const source = request.user_id === undefined ? '' : `?user_id=${request.user_id}`;
  return { ...report, file: `GET /admin/decisions${source}` };
}

/** The CLI's options for `pnpm ope - --json`, with what the request sets. */
export function opeOptions(request: OpeRequest): OpeOptions {
  const defaults = parseOpeArgs(['-', '--json']);
  return {
    ...defaults,
    ...(request.targets === undefined ? {} : { targets: [...request.targets] }),
    ...(request.epsilons === undefined ? {} : { epsilons: [...request.epsilons] }),
    ...(request.alpha === undefined ? {} : { alpha: request.alpha }),
    ...(request.model === undefined ? {} : { model: request.model }),
    ...(request.lambda === undefined ? {} : { lambda: request.lambda }),
    ...(request.fit_fraction === undefined ? {} : { fitFraction: request.fit_fraction }),
    ...(request.clip === undefined ? {} : { clip: request.clip }),
    ...(request.folds === undefined ? {} : { folds: request.folds }),
    ...(request.user_id === undefined ? {} : { user: request.user_id }),
    ...(request.policy === undefined ? {} : { policy: request.policy }),
  };
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function tooLarge(maxDecisions: number): ValidationError {
  return new ValidationError([
    {
      path: 'max_decisions',
      message: `the selected decision log holds more than ${maxDecisions} decisions; select one user (user_id), raise max_decisions (at most ${OPE_MAX_DECISIONS}), or export it with GET /admin/decisions and run pnpm ope`,
    },
  ]);
}

/**
 * What the evaluation refused, as the 422 of the request field to change; anything else is
 * returned as it is (an invalid line of the service's own export would be a bug: a 500).
 */
export function toOpeInputError(error: unknown, request: OpeRequest): unknown {
  if (error instanceof LogInputError && error.issue === undefined) {
    // Nothing to evaluate: what selected the decisions is what to change.
    const path = request.policy !== undefined ? 'policy' : request.user_id !== undefined ? 'user_id' : 'body';
    return new ValidationError([{ path, message: error.message }]);
  }
  if (error instanceof BanditError) {
    const field = (error as BanditError & { field?: unknown }).field;
    const path = typeof field === 'string' ? (BODY_FIELDS[field] ?? field) : 'body';
    return new ValidationError([{ path, message: error.message }]);
  }
  return error;
}
