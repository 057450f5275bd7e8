import { describe, expect, it } from 'vitest';
import { formatJson, markdownTable, summarise } from './report.js';
import type { SimulationResult } from './run.js';

const curve = (...values: number[]) => Float64Array.from(values);

// Two seeds, three decisions; uniform's final regret is 2 and 4, the policy's 1 and 1.
const result: SimulationResult = {
  seeds: [1, 2],
  users: 1,
  rounds: 3,
  players: [
    {
      id: 'linucb-v1',
      learns: true,
      cumulativeReward: [curve(1, 2, 3), curve(0, 1, 1)],
      cumulativeRegret: [curve(0, 1, 1), curve(1, 1, 1)],
    },
    {
      id: 'uniform',
      learns: false,
      cumulativeReward: [curve(0, 0, 1), curve(0, 1, 1)],
      cumulativeRegret: [curve(1, 1, 2), curve(1, 2, 4)],
    },
  ],
};

describe('summarise', () => {
  it('takes the final cumulative figures per seed, and the share of uniform regret avoided', () => {
    const [policy, uniform] = summarise(result);
    expect(policy!.cumulativeReward.mean).toBe(2);
    expect(policy!.rewardPerDecision).toBeCloseTo(2 / 3, 12);
    expect(policy!.cumulativeRegret.mean).toBe(1);
    // 1 − 1/2 and 1 − 1/4
    expect(policy!.gapClosed!.mean).toBe(0.625);
    expect(uniform!.gapClosed!.mean).toBe(0);
  });
});

describe('markdownTable', () => {
  it('pads every column, left-aligns the player and right-aligns the figures', () => {
    const table = markdownTable(summarise(result), 3).split('\n');
    expect(table).toHaveLength(4);
    expect(new Set(table.map((line) => line.length)).size).toBe(1);
    expect(table[1]).toMatch(/^\| -+ \| -+: \| -+: \| -+: \| -+: \|$/);
    expect(table[2]).toMatch(
      /^\| `linucb-v1` \| +0\.667 \| +2\.0 ± 12\.7 \| +1\.0 ± 0\.0 \| +62\.5 % ± 158\.8 % \|$/,
    );
    expect(table[0]).toContain('cumulative reward per user (3 decisions)');
  });

  it('leaves out the gap column without uniform, and the ± with one seed', () => {
    const one: SimulationResult = {
      ...result,
      seeds: [1],
      players: [
        { ...result.players[0]!, cumulativeReward: [curve(1, 2, 3)], cumulativeRegret: [curve(0, 1, 1)] },
      ],
    };
    const table = markdownTable(summarise(one), 3);
    expect(table).not.toContain('gap closed');
    expect(table).not.toContain('±');
  });
});

describe('formatJson', () => {
  it('puts short arrays of numbers and plain strings on one line, keeps objects expanded', () => {
    expect(
      formatJson({ seeds: [1, 2, 3], ids: ['a-1', 'b'], nested: { x: [0.5, -1e-7] }, rows: [{ a: 1 }] }),
    ).toBe(
      [
        '{',
        '  "seeds": [1, 2, 3],',
        '  "ids": ["a-1", "b"],',
        '  "nested": {',
        '    "x": [0.5, -1e-7]',
        '  },',
        '  "rows": [',
        '    {',
        '      "a": 1',
        '    }',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('fills long arrays of numbers line by line and keeps long arrays of strings one per line', () => {
    const numbers = Array.from({ length: 40 }, (_, i) => 1000 + i);
    const strings = Array.from({ length: 20 }, (_, i) => `player-${i}`);
    const text = formatJson({ numbers, strings });
    const lines = text.split('\n');
    expect(lines[1]).toBe('  "numbers": [');
    // What `biome format` writes for the same object.
    expect(lines[2]).toBe(`    ${numbers.slice(0, 17).join(', ')},`);
    expect(lines[3]).toBe(`    ${numbers.slice(17, 34).join(', ')},`);
    expect(lines[4]).toBe(`    ${numbers.slice(34).join(', ')}`);
    expect(lines[5]).toBe('  ],');
    expect(lines[7]).toBe('    "player-0",');
    expect(lines.every((line) => line.length <= 110)).toBe(true);
    expect(JSON.parse(text)).toEqual({ numbers, strings });
  });
});
