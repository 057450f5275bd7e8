import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { LogInputError, UsageError } from './errors.js';
import { evaluateGroup } from './evaluate.js';
import { type OpeOptions, parseOpeArgs, USAGE } from './options.js';
import { readDecisionLog } from './read-log.js';
import { buildReport, formatJson, formatText, type OpeReport } from './report.js';
import { targetSpecs } from './targets.js';

export interface OpeIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** What `-` reads. */
  stdin: Readable;
  /** Relative log paths resolve here (pnpm runs scripts in the package; INIT_CWD is the caller's). */
  cwd: string;
}

/** Runs `pnpm ope`; resolves to the process exit status: 0 evaluated, 2 usage or input error. */
export async function runOpeCli(argv: readonly string[], io: OpeIo): Promise<number> {
  let options: OpeOptions;
  try {
    options = parseOpeArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`ope: ${error.message}\nRun with --help for the options.\n`);
    return 2;
  }
  if (options.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  try {
    const report = await evaluateLog(options, io);
    io.stdout(options.json ? formatJson(report) : formatText(report));
    return 0;
  } catch (error) {
    if (!(error instanceof LogInputError)) throw error;
    io.stderr(`ope: ${error.message}\n`);
    return 2;
  }
}

/**
 * Reads, groups and evaluates the log as `options` say.
 * @throws LogInputError when the log is unreadable, has a bad line, or leaves nothing to evaluate
 */
export async function evaluateLog(options: OpeOptions, io: Pick<OpeIo, 'stdin' | 'cwd'>): Promise<OpeReport> {
  const source = options.file === '-' ? io.stdin : resolve(io.cwd, options.file);
  const read = await readDecisionLog(source, {
    skipInvalid: options.skipInvalid,
    ...(options.user === undefined ? {} : { user: options.user }),
    ...(options.policy === undefined ? {} : { policy: options.policy }),
  });
  const specs = targetSpecs(options);
  const groups = read.groups.map((group) =>
    evaluateGroup(group, {
      targets: specs,
      fitFraction: options.fitFraction,
      model: options.model,
      folds: options.folds,
      ...(options.lambda === undefined ? {} : { lambda: options.lambda }),
      ...(options.clip === undefined ? {} : { clip: options.clip }),
    }),
  );
  if (!groups.some((group) => group.skipped === null)) {
    throw new LogInputError(nothingToEvaluate(read, groups.length));
  }
  return buildReport(options, specs, read, groups);
}

function nothingToEvaluate(read: Awaited<ReturnType<typeof readDecisionLog>>, groups: number): string {
  if (read.lines === 0) return 'nothing to evaluate: the log is empty';
  if (groups === 0) {
    const parts = [`${read.valid} valid line${read.valid === 1 ? '' : 's'}`];
    if (read.invalid > 0) parts.push(`${read.invalid} invalid skipped`);
    if (read.filteredOut > 0) parts.push(`${read.filteredOut} of other users or policies`);
    parts.push(`${read.unrewarded} unrewarded`);
    return `nothing to evaluate: no rewarded decision (${parts.join(', ')})`;
  }
  return "nothing to evaluate: no logging policy has at least 2 rewarded decisions to evaluate (with a learned target, only the later part of each user's decisions is evaluated; see --fit-fraction)";
}
