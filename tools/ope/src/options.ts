import { parseArgs } from 'node:util';
import { isPolicyId, type PolicyId } from '@oo/bandit';
import { UsageError } from './errors.js';
import { MODEL_KINDS, type ModelKind, TARGET_KINDS, type TargetKind } from './targets.js';

export const DEFAULT_EPSILONS = [0.05, 0.1, 0.2] as const;

export const USAGE = `Usage: pnpm ope <log.ndjson | -> [options]

Off-policy evaluation of an exported decision log (docs/decision-log-format.md): for each logging
policy in the log, the value other policies would have had on the same decisions, by IPS,
self-normalised IPS and doubly robust, each with a 95% interval.

Targets (their ridge models never see a reward they are evaluated on):
  uniform               every candidate with probability 1/K
  egreedy               ε-greedy over a ridge model, at each --epsilons value
  greedy                the argmax of the ridge model
  linucb                LinUCB over the ridge model, α = --alpha
With a learned target, each user's earliest --fit-fraction of rewarded decisions (by ts) fit the
models and every target, uniform included, is evaluated on that user's later decisions.

Options:
  --targets LIST        comma-separated, from ${TARGET_KINDS.join(',')} (default: all)
  --epsilons LIST       ε of the egreedy targets, each in [0, 1] (default ${DEFAULT_EPSILONS.join(',')})
  --alpha A             α ≥ 0 of the linucb target (default 1)
  --model KIND          per-user (default: one ridge model per user, as the service) or pooled
  --lambda L            ridge λ > 0 of the targets' models (default: the logging policy's, 1)
  --fit-fraction F      per user, the share of decisions that fit the models, in (0, 1) (default 0.5)
  --clip W              clip importance weights at W > 0 (default: no clipping)
  --folds N             cross-fitting folds of DR's direct model, ≥ 2 (default 5)
  --user ID             evaluate this user's decisions only
  --policy ID           evaluate this logging policy's decisions only
  --skip-invalid        count and skip invalid lines instead of stopping at the first
  --json                print JSON instead of the table
  -h, --help            this text

No randomness is involved (folds are decision index mod N), so there is no seed: the same log
and options give the same figures. A - reads the log from stdin.

Exit status: 0 evaluated, 2 usage or input error (a bad option, an unreadable file, an invalid
line, nothing to evaluate).`;

export interface OpeOptions {
  /** Path of the log, or '-' for stdin. */
  file: string;
  targets: TargetKind[];
  epsilons: number[];
  alpha: number;
  model: ModelKind;
  lambda?: number;
  fitFraction: number;
  clip?: number;
  folds: number;
  user?: string;
  policy?: PolicyId;
  skipInvalid: boolean;
  json: boolean;
  help: boolean;
}

/** Parses and checks the command line; throws UsageError with a message naming the option. */
export function parseOpeArgs(argv: readonly string[]): OpeOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const help = values.help ?? false;
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])}`);
  const file = positionals[0];
  if (file === undefined && !help) throw new UsageError('the decision log to evaluate is missing');

  const targets = list(values.targets, 'targets') ?? [...TARGET_KINDS];
  for (const target of targets) {
    if (!(TARGET_KINDS as readonly string[]).includes(target)) {
      throw new UsageError(
        `--targets: unknown target ${JSON.stringify(target)} (known: ${TARGET_KINDS.join(', ')})`,
      );
    }
  }
  if (new Set(targets).size !== targets.length) throw new UsageError('--targets names a target twice');

  const epsilons = (list(values.epsilons, 'epsilons') ?? DEFAULT_EPSILONS.map(String)).map((text) =>
    decimal(text, 'epsilons', (x) => x >= 0 && x <= 1, 'each a number in [0, 1]'),
  );
  if (new Set(epsilons).size !== epsilons.length) throw new UsageError('--epsilons names a value twice');

  const model = values.model ?? 'per-user';
  if (!(MODEL_KINDS as readonly string[]).includes(model)) {
    throw new UsageError(`--model must be one of ${MODEL_KINDS.join(', ')}, got ${JSON.stringify(model)}`);
  }
  const policy = values.policy;
  if (policy !== undefined && !isPolicyId(policy)) {
    throw new UsageError(`--policy: unknown policy ${JSON.stringify(policy)}`);
  }
  const folds = values.folds === undefined ? 5 : Number(values.folds);
  if (!/^\d+$/.test(values.folds ?? '5') || !Number.isSafeInteger(folds) || folds < 2) {
    throw new UsageError(`--folds must be an integer ≥ 2, got ${JSON.stringify(values.folds)}`);
  }
  const optional = (name: 'lambda' | 'clip', rule: string) =>
    values[name] === undefined
      ? undefined
      : decimal(values[name], name, (x) => x > 0 && Number.isFinite(x), rule);
  const lambda = optional('lambda', 'a number > 0');
  const clip = optional('clip', 'a weight > 0');
  return {
    file: file ?? '',
    targets: targets as TargetKind[],
    epsilons,
    alpha:
      values.alpha === undefined
        ? 1
        : decimal(values.alpha, 'alpha', (x) => x >= 0 && Number.isFinite(x), 'a number ≥ 0'),
    model: model as ModelKind,
    ...(lambda === undefined ? {} : { lambda }),
    fitFraction:
      values['fit-fraction'] === undefined
        ? 0.5
        : decimal(values['fit-fraction'], 'fit-fraction', (x) => x > 0 && x < 1, 'a number in (0, 1)'),
    ...(clip === undefined ? {} : { clip }),
    folds,
    ...(values.user === undefined ? {} : { user: values.user }),
    ...(policy === undefined ? {} : { policy }),
    skipInvalid: values['skip-invalid'] ?? false,
    json: values.json ?? false,
    help,
  };
}

function list(value: string | undefined, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  if (items.length === 0) throw new UsageError(`--${name} names nothing`);
  return items;
}

// Plain decimals only: Number() would also take '', '0x10', '1e400' and ' 1 '.
function decimal(text: string, name: string, valid: (x: number) => boolean, rule: string): number {
  const x = Number(text);
  if (!/^[+]?(\d+\.?\d*|\.\d+)$/.test(text) || !valid(x)) {
    throw new UsageError(`--${name} must be ${rule}, got ${JSON.stringify(text)}`);
  }
  return x;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      targets: { type: 'string' },
      epsilons: { type: 'string' },
      alpha: { type: 'string' },
      model: { type: 'string' },
      lambda: { type: 'string' },
      'fit-fraction': { type: 'string' },
      clip: { type: 'string' },
      folds: { type: 'string' },
      user: { type: 'string' },
      policy: { type: 'string' },
      'skip-invalid': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
