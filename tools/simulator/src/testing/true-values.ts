import {
  epsilonGreedyPolicy,
  greedyPolicy,
  LinearModel,
  linUcbPolicy,
  type TargetPolicy,
  uniformPolicy,
} from '@oo/bandit';
import type { SimulatedLogLine } from '../decision-log.js';

export interface TrueValues {
  /** Decisions evaluated: each user's decisions after the first ⌊fitFraction·n⌋ by time. */
  evaluated: number;
  /** Target name (as `pnpm ope` names it) → its true expected reward per evaluated decision. */
  values: Record<string, number>;
}

/**
 * The true value of `pnpm ope`'s targets (uniform, ε-greedy at each ε, greedy, LinUCB) on the logged sessions, from the hidden means only a
 * simulation knows: (1/n)·Σᵢ Σₐ π(a|xᵢ)·μᵢ(a) over the evaluated decisions. Written apart from
 * tools/ope, from its documented rule (per user, the earliest ⌊f·n⌋ rewarded decisions by ts fit
 * a ridge model, λ = 1, on the chosen features; the rest are evaluated), so it checks the CLI's
 * split as well as its estimates.
 */
export function trueValues(
  lines: readonly SimulatedLogLine[],
  options: { fitFraction: number; epsilons: readonly number[]; alpha?: number },
): TrueValues {
  const alpha = options.alpha ?? 1;
  const byUser = new Map<string, { line: SimulatedLogLine; index: number }[]>();
  lines.forEach((line, index) => {
    if (line.reward === null) return;
    const list = byUser.get(line.user_id) ?? [];
    list.push({ line, index });
    byUser.set(line.user_id, list);
  });
  const sums: Record<string, number> = {};
  let evaluated = 0;
  for (const list of byUser.values()) {
    list.sort((a, b) => Date.parse(a.line.ts) - Date.parse(b.line.ts) || a.index - b.index);
    const cut = Math.floor(options.fitFraction * list.length);
    const d = list[0]!.line.candidates[0]!.features.length;
    const model = LinearModel.create(d, 1);
    for (const { line } of list.slice(0, cut)) {
      const chosen = line.candidates.find((candidate) => candidate.id === line.chosen_id)!;
      model.update(chosen.features, line.reward!);
    }
    const targets: [string, TargetPolicy][] = [
      ['uniform', uniformPolicy()],
      ...options.epsilons.map((epsilon): [string, TargetPolicy] => [
        `egreedy ε=${epsilon}`,
        epsilonGreedyPolicy(model, epsilon),
      ]),
      ['greedy', greedyPolicy(model)],
      [`linucb α=${alpha}`, linUcbPolicy(model, alpha)],
    ];
    for (const { line } of list.slice(cut)) {
      evaluated++;
      const x = line.candidates.map((candidate) => Float64Array.from(candidate.features));
      const decision = { candidates: x, chosen: 0, propensity: 1, reward: 0 };
      for (const [name, policy] of targets) {
        const pi = policy(x, decision);
        let value = 0;
        for (let a = 0; a < x.length; a++) value += pi[a]! * line.sim.means[a]!;
        sums[name] = (sums[name] ?? 0) + value;
      }
    }
  }
  const values: Record<string, number> = {};
  for (const [name, sum] of Object.entries(sums)) values[name] = sum / evaluated;
  return { evaluated, values };
}
