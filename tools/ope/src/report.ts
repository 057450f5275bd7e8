import type { LineIssue } from './errors.js';
import {
  ESTIMATORS,
  type EstimateFailure,
  type EstimateResult,
  type GroupResult,
  type OnPolicyResult,
} from './evaluate.js';
import type { OpeOptions } from './options.js';
import type { ReadLogResult } from './read-log.js';
import { isLearned, type TargetSpec } from './targets.js';

export interface OpeReport {
  file: string;
  read: {
    lines: number;
    valid: number;
    invalid: number;
    invalid_lines: LineIssue[];
    filtered_out: number;
    unrewarded: number;
  };
  settings: {
    targets: string[];
    /** null when no target is learned: nothing is fitted and every decision is evaluated. */
    fit_fraction: number | null;
    model: string | null;
    lambda: number | null;
    clip: number | null;
    folds: number;
    user: string | null;
    policy: string | null;
    /** The fit/evaluate rule in words, as the table prints it. */
    split: string;
  };
  groups: GroupResult[];
}

export function buildReport(
  options: OpeOptions,
  specs: readonly TargetSpec[],
  read: ReadLogResult,
  groups: GroupResult[],
): OpeReport {
  const learned = specs.some(isLearned);
  return {
    file: options.file,
    read: {
      lines: read.lines,
      valid: read.valid,
      invalid: read.invalid,
      invalid_lines: read.invalidLines,
      filtered_out: read.filteredOut,
      unrewarded: read.unrewarded,
    },
    settings: {
      targets: specs.map((spec) => spec.name),
      fit_fraction: learned ? options.fitFraction : null,
      model: learned ? options.model : null,
      lambda: learned ? (options.lambda ?? null) : null,
      clip: options.clip ?? null,
      folds: options.folds,
      user: options.user ?? null,
      policy: options.policy ?? null,
      split: splitRule(options, learned),
    },
    groups,
  };
}

function splitRule(options: OpeOptions, learned: boolean): string {
  if (!learned) return 'no learned target: every rewarded decision is evaluated';
  const share = `${+(options.fitFraction * 100).toFixed(2)}%`;
  const models =
    options.model === 'per-user' ? 'a ridge model per user' : 'one ridge model pooled over the users';
  const lambda = options.lambda === undefined ? "the logging policy's λ" : `λ = ${options.lambda}`;
  return `${models} (${lambda}) is fitted on each user's earliest ${share} of rewarded decisions by ts; every target is evaluated on the later ones, whose rewards no model saw`;
}

export function formatJson(report: OpeReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const HEADER = ['logging policy', 'target', 'estimator', 'value', '95% CI', 'n', 'ESS', 'max weight'];
const RIGHT = new Set([3, 5, 6, 7]);

/** The summary lines and one table of every group's estimates, as GitHub-flavoured Markdown. */
export function formatText(report: OpeReport): string {
  const { read, settings } = report;
  const out: string[] = [];
  out.push(`Off-policy evaluation of ${report.file === '-' ? 'stdin' : report.file}`);
  const skipped = read.invalid > 0 ? `, ${count(read.invalid)} invalid skipped` : '';
  const filtered = read.filtered_out > 0 ? `, ${count(read.filtered_out)} of other users or policies` : '';
  out.push(
    `${count(read.lines)} lines: ${count(read.valid)} valid${skipped}${filtered}; ${count(read.unrewarded)} unrewarded dropped.`,
  );
  for (const issue of read.invalid_lines)
    out.push(`  skipped line ${issue.line}: ${issue.field}: ${issue.message}`);
  if (read.invalid > read.invalid_lines.length) {
    out.push(`  … and ${count(read.invalid - read.invalid_lines.length)} more`);
  }
  out.push(`Split: ${settings.split}.`);
  const clip = settings.clip === null ? 'weights not clipped' : `weights clipped at ${settings.clip}`;
  out.push(
    `DR: ridge direct model cross-fitted over ${settings.folds} folds; ${clip}; 95% CI = value ± t·SE, t from Student's t with the terms' effective degrees of freedom (1.96 when the weights are tame).`,
  );
  const rows: string[][] = [];
  for (const group of report.groups) {
    out.push('');
    out.push(groupLine(group));
    for (const warning of group.warnings) out.push(`  warning: ${warning}`);
    if (group.skipped !== null) {
      out.push(`  not evaluated: ${group.skipped}`);
      continue;
    }
    if (group.logged !== null) rows.push(onPolicyRow(group.label, group.logged));
    for (const target of group.targets) {
      for (const estimator of ESTIMATORS) {
        rows.push(estimateRow(group.label, target.target, estimator, target[estimator]));
      }
    }
  }
  const failures = report.groups.flatMap((group) =>
    group.targets.flatMap((target) =>
      ESTIMATORS.flatMap((estimator) => {
        const estimate = target[estimator];
        return 'error' in estimate
          ? [`  ${group.label}, ${target.target}, ${estimator}: ${estimate.error}`]
          : [];
      }),
    ),
  );
  if (rows.length > 0) {
    out.push('');
    out.push(table(rows));
  }
  if (failures.length > 0) {
    out.push('');
    out.push('Not estimated:');
    out.push(...failures);
  }
  out.push('');
  out.push(
    'ESS: effective sample size (Σw)²/Σw² of the importance weights w = π(a|x)/propensity; far below n, or a large max weight, means a few decisions carry the estimate.',
  );
  return `${out.join('\n')}\n`;
}

function groupLine(group: GroupResult): string {
  const fitted =
    group.lambda === null
      ? `${count(group.evaluated)} evaluated`
      : `${count(group.fit)} fit the targets' models (λ = ${group.lambda}), ${count(group.evaluated)} evaluated`;
  return `${group.label} (d = ${group.d}): ${count(group.users)} user${group.users === 1 ? '' : 's'}, ${count(group.decisions)} rewarded decisions; ${fitted}; smallest propensity ${fixed(group.min_propensity, 4)}.`;
}

function onPolicyRow(label: string, logged: OnPolicyResult): string[] {
  return [
    label,
    'logged policy (on-policy)',
    'mean',
    fixed(logged.value, 4),
    ci(logged.ci95),
    count(logged.n),
    '',
    '',
  ];
}

function estimateRow(
  label: string,
  target: string,
  estimator: string,
  estimate: EstimateResult | EstimateFailure,
): string[] {
  if ('error' in estimate) return [label, target, estimator, '—', 'not estimated (see below)', '', '', ''];
  return [
    label,
    target,
    estimator,
    fixed(estimate.value, 4),
    ci(estimate.ci95),
    count(estimate.n),
    count(Math.round(estimate.effective_sample_size)),
    fixed(estimate.max_weight, 2),
  ];
}

function table(rows: readonly string[][]): string {
  const widths = HEADER.map((title, c) => Math.max(title.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, c) => (RIGHT.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(' | ')} |`;
  const rule = `| ${widths.map((width, c) => (RIGHT.has(c) ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width))).join(' | ')} |`;
  return [line(HEADER), rule, ...rows.map(line)].join('\n');
}

function ci([low, high]: readonly [number, number]): string {
  return `[${fixed(low, 4)}, ${fixed(high, 4)}]`;
}

function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}
