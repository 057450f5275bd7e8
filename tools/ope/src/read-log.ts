import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { type LoggedDecision, POLICIES, type PolicyId } from '@oo/bandit';
import { DecisionLogLine } from '@oo/contracts';
import { type LineIssue, LogInputError } from './errors.js';

/**
 * Longest line accepted. A valid line is at most about 60 kB (100 candidates × 12 features with
 * 128-character ids); anything far longer is not a decision, and is refused before JSON.parse.
 */
export const MAX_LINE_CHARS = 1 << 20;

/** One rewarded decision, as the estimators read it, with what the split and the report need. */
export interface LogEntry extends LoggedDecision {
  readonly userId: string;
  readonly decisionId: string;
  /** Decision time, ms since the epoch. */
  readonly tsMs: number;
  /** 1-based line number in the log: the tie-breaker after `tsMs`, and what errors name. */
  readonly line: number;
  readonly candidates: Float64Array[];
  readonly chosen: number;
  readonly propensity: number;
  readonly reward: number;
}

export interface PolicyParams {
  alpha?: number;
  epsilon?: number;
  gamma?: number;
  lambda?: number;
}

/** The decisions of one logging policy: same id, version and parameters, hence the same d. */
export interface LogGroup {
  /** Stable grouping key: policy, version and parameters. */
  readonly key: string;
  /** e.g. `egreedy-v1@1.0.0 ε=0.1 γ=1`. */
  readonly label: string;
  readonly policy: PolicyId;
  readonly policyVersion: string | null;
  readonly policyParams: PolicyParams | null;
  readonly d: number;
  /** Rewarded decisions, in log order. */
  readonly entries: LogEntry[];
}

export interface ReadLogOptions {
  /** Count and skip invalid lines instead of failing on the first one. */
  skipInvalid?: boolean;
  /** Keep only this user's decisions (every line is still validated). */
  user?: string;
  /** Keep only this logging policy's decisions. */
  policy?: PolicyId;
  /** How many skipped lines to keep for the report. @default 20 */
  keepIssues?: number;
}

export interface ReadLogResult {
  /** Non-blank lines read. */
  lines: number;
  /** Lines that parsed and passed the schema. */
  valid: number;
  /** Invalid lines skipped (only with `skipInvalid`), and the first few of them. */
  invalid: number;
  invalidLines: LineIssue[];
  /** Valid lines left out by `user` or `policy`. */
  filteredOut: number;
  /** Valid, kept decisions with no reward yet: dropped, the estimators need a reward. */
  unrewarded: number;
  /** Rewarded decisions by logging policy, in order of first appearance. */
  groups: LogGroup[];
}

/**
 * Reads an NDJSON decision log line by line (the text is never held whole, only the parsed
 * numbers), validates each line with the contracts schema and groups the rewarded decisions by
 * logging policy. A repeated (user_id, decision_id) is an invalid line: counting a decision twice
 * would weigh it twice.
 * @throws LogInputError on an unreadable source, or on the first invalid line unless `skipInvalid`
 */
export async function readDecisionLog(
  source: string | Readable,
  options: ReadLogOptions = {},
): Promise<ReadLogResult> {
  const input = typeof source === 'string' ? createReadStream(source) : source;
  const name = typeof source === 'string' ? source : 'the input';
  const keepIssues = options.keepIssues ?? 20;
  const result: ReadLogResult = {
    lines: 0,
    valid: 0,
    invalid: 0,
    invalidLines: [],
    filteredOut: 0,
    unrewarded: 0,
    groups: [],
  };
  const groups = new Map<string, LogGroup>();
  const seen = new Map<string, number>();
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  try {
    for await (const text of lines) {
      lineNumber++;
      if (text.trim().length === 0) continue;
      result.lines++;
      const parsed = parseLine(text, lineNumber, seen);
      if (!parsed.ok) {
        if (!options.skipInvalid) {
          throw new LogInputError(
            `line ${parsed.issue.line}: ${parsed.issue.field}: ${parsed.issue.message}`,
            parsed.issue,
          );
        }
        result.invalid++;
        if (result.invalidLines.length < keepIssues) result.invalidLines.push(parsed.issue);
        continue;
      }
      result.valid++;
      const line = parsed.line;
      if (
        (options.user !== undefined && line.user_id !== options.user) ||
        (options.policy !== undefined && line.policy !== options.policy)
      ) {
        result.filteredOut++;
        continue;
      }
      if (line.reward === null) {
        result.unrewarded++;
        continue;
      }
      groupOf(groups, line).entries.push(toEntry(line, line.reward, lineNumber));
    }
  } catch (error) {
    if (error instanceof LogInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new LogInputError(`cannot read ${name}: ${code ?? (error as Error).message}`);
  } finally {
    lines.close();
    if (typeof source === 'string') input.destroy();
  }
  result.groups = [...groups.values()];
  return result;
}

type ParsedLine = { ok: true; line: DecisionLogLine } | { ok: false; issue: LineIssue };

/** One line: JSON, then the schema, then uniqueness of the decision. */
export function parseLine(text: string, lineNumber: number, seen?: Map<string, number>): ParsedLine {
  const fail = (field: string, message: string): ParsedLine => ({
    ok: false,
    issue: { line: lineNumber, field, message },
  });
  if (text.length > MAX_LINE_CHARS) {
    return fail('(line)', `longer than ${MAX_LINE_CHARS} characters: not a decision`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail('(line)', `not JSON: ${(error as Error).message}`);
  }
  const checked = DecisionLogLine.safeParse(json);
  if (!checked.success) {
    const first = checked.error.issues[0]!;
    const more = checked.error.issues.length - 1;
    // zod words a missing field as a type error ("expected string, received undefined").
    const expected =
      first.code === 'invalid_type' ? /expected (\w+), received undefined$/.exec(first.message) : null;
    const message = expected === null ? first.message : `missing (expected ${expected[1]})`;
    return fail(
      fieldPath(first.path),
      `${message}${more > 0 ? ` (and ${more} more issue${more > 1 ? 's' : ''} on this line)` : ''}`,
    );
  }
  const line = checked.data;
  if (seen !== undefined) {
    const key = `${line.user_id}\u0000${line.decision_id}`;
    const first = seen.get(key);
    if (first !== undefined) {
      return fail('decision_id', `user ${line.user_id}'s decision ${line.decision_id} repeats line ${first}`);
    }
    seen.set(key, lineNumber);
  }
  return { ok: true, line };
}

/** `['candidates', 1, 'features', 4]` → `candidates[1].features[4]`; the root is `(line)`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out.length === 0 ? String(part) : `.${String(part)}`;
  }
  return out.length === 0 ? '(line)' : out;
}

function toEntry(line: DecisionLogLine, reward: number, lineNumber: number): LogEntry {
  const k = line.candidates.length;
  const d = line.candidates[0]!.features.length;
  // One buffer per decision, the candidates as views into it.
  const flat = new Float64Array(k * d);
  const candidates: Float64Array[] = [];
  let chosen = -1;
  for (let j = 0; j < k; j++) {
    const candidate = line.candidates[j]!;
    flat.set(candidate.features, j * d);
    candidates.push(flat.subarray(j * d, (j + 1) * d));
    if (candidate.id === line.chosen_id) chosen = j;
  }
  return {
    userId: line.user_id,
    decisionId: line.decision_id,
    tsMs: Date.parse(line.ts),
    line: lineNumber,
    candidates,
    chosen,
    propensity: line.propensity,
    reward,
  };
}

const PARAM_SYMBOLS: readonly (readonly [keyof PolicyParams, string])[] = [
  ['alpha', 'α'],
  ['epsilon', 'ε'],
  ['gamma', 'γ'],
  ['lambda', 'λ'],
];

function groupOf(groups: Map<string, LogGroup>, line: DecisionLogLine): LogGroup {
  const params = line.policy_params;
  const canonical =
    params === undefined
      ? null
      : Object.fromEntries(
          PARAM_SYMBOLS.filter(([name]) => params[name] !== undefined).map(([name]) => [name, params[name]]),
        );
  const key = JSON.stringify([line.policy, line.policy_version ?? null, canonical]);
  let group = groups.get(key);
  if (group === undefined) {
    const paramText =
      canonical === null
        ? ''
        : PARAM_SYMBOLS.filter(([name]) => canonical[name] !== undefined)
            .map(([name, symbol]) => ` ${symbol}=${canonical[name]}`)
            .join('');
    group = {
      key,
      label: `${line.policy}${line.policy_version === undefined ? '' : `@${line.policy_version}`}${paramText}`,
      policy: line.policy,
      policyVersion: line.policy_version ?? null,
      policyParams: canonical,
      d: POLICIES[line.policy].d,
      entries: [],
    };
    groups.set(key, group);
  }
  return group;
}
