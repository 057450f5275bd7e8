import type { SimulationResult } from './run.js';
import { type Interval, interval } from './stats.js';

/** Final figures of one player over the seeds of a run. */
export interface PlayerSummary {
  id: string;
  /** Reward per decision, averaged over users and seeds. */
  rewardPerDecision: number;
  /** Cumulative reward per user after the last decision, over seeds. */
  cumulativeReward: Interval;
  /** Cumulative regret per user after the last decision, over seeds. */
  cumulativeRegret: Interval;
  /**
   * Share of uniform's regret avoided, 1 − regret / regret(uniform), computed per seed: 0 for
   * uniform, 1 for the oracle. Absent when the run has no uniform player.
   */
  gapClosed?: Interval;
}

export function summarise(result: SimulationResult): PlayerSummary[] {
  const last = result.rounds - 1;
  const uniform = result.players.find((player) => player.id === 'uniform');
  return result.players.map((player) => {
    const rewards = player.cumulativeReward.map((curve) => curve[last]!);
    const regrets = player.cumulativeRegret.map((curve) => curve[last]!);
    const summary: PlayerSummary = {
      id: player.id,
      rewardPerDecision: interval(rewards).mean / result.rounds,
      cumulativeReward: interval(rewards),
      cumulativeRegret: interval(regrets),
    };
    if (uniform) {
      const closed = regrets.map((regret, s) => 1 - regret / uniform.cumulativeRegret[s]![last]!);
      if (closed.every(Number.isFinite)) summary.gapClosed = interval(closed);
    }
    return summary;
  });
}

function plusMinus(value: Interval, digits: number, scale = 1, unit = ''): string {
  const mean = (value.mean * scale).toFixed(digits);
  if (Number.isNaN(value.halfWidth)) return `${mean}${unit}`;
  return `${mean}${unit} ± ${(value.halfWidth * scale).toFixed(digits)}${unit}`;
}

/**
 * The table of final figures, one row per player, as GitHub-flavoured Markdown with padded
 * columns (the layout the repository's formatter, Biome, gives tables, so a committed run passes
 * `pnpm lint` as written).
 */
export function markdownTable(summaries: readonly PlayerSummary[], rounds: number): string {
  const withGap = summaries.some((summary) => summary.gapClosed !== undefined);
  const header = [
    'player',
    'reward / decision',
    `cumulative reward per user (${rounds} decisions)`,
    'cumulative regret per user',
    ...(withGap ? ['uniform → oracle gap closed'] : []),
  ];
  const rows = summaries.map((summary) => [
    `\`${summary.id}\``,
    summary.rewardPerDecision.toFixed(3),
    plusMinus(summary.cumulativeReward, 1),
    plusMinus(summary.cumulativeRegret, 1),
    ...(withGap ? [summary.gapClosed ? plusMinus(summary.gapClosed, 1, 100, ' %') : '—'] : []),
  ]);
  const widths = header.map((title, c) => Math.max(3, title.length, ...rows.map((row) => row[c]!.length)));
  // The first column is left-aligned, the figures right-aligned.
  const cell = (text: string, c: number) => (c === 0 ? text.padEnd(widths[c]!) : text.padStart(widths[c]!));
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const rule = widths.map((w, c) => (c === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`));
  return [
    line(header.map((title, c) => title.padEnd(widths[c]!))),
    line(rule),
    ...rows.map((row) => line(row.map(cell))),
  ].join('\n');
}

/**
 * JSON laid out as Biome lays it out, so a committed results.json passes `pnpm lint`: two-space
 * indentation, objects expanded, an array of numbers or plain strings on one line when it fits in
 * 110 columns, else numbers filled line by line and strings one per line.
 */
export function formatJson(value: unknown): string {
  const expanded = JSON.stringify(value, null, 2);
  const collapsed = expanded.replace(
    /^( *)("[^"\n]*": )?\[\n((?: *(?:-?[\d.eE+-]+|"[\w .:/@-]*"),?\n)+)( *)\]/gm,
    (whole, indent: string, key: string | undefined, body: string, closing: string) => {
      const items = body
        .split('\n')
        .map((item) => item.trim().replace(/,$/, ''))
        .filter((item) => item !== '');
      const line = `${indent}${key ?? ''}[${items.join(', ')}]`;
      if (line.length <= LINE_WIDTH) return line;
      if (items.some((item) => item.startsWith('"'))) return whole;
      const inner = `${indent}  `;
      const lines: string[] = [];
      let current = '';
      for (const item of items) {
        const next = current === '' ? `${inner}${item},` : `${current} ${item},`;
        if (current !== '' && next.length > LINE_WIDTH) {
          lines.push(current);
          current = `${inner}${item},`;
        } else {
          current = next;
        }
      }
      lines.push(current.slice(0, -1));
      return `${indent}${key ?? ''}[\n${lines.join('\n')}\n${closing}]`;
    },
  );
  return `${collapsed}\n`;
}

const LINE_WIDTH = 110;
