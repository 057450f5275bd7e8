import { describe, expect, it } from 'vitest';
import { curveChartSpec, renderChart, samplePoints, trailingRate, wrap } from './charts.js';

const series = (seeds: number) => [
  {
    id: 'linucb-v1',
    perSeed: Array.from({ length: seeds }, (_, s) => Float64Array.from({ length: 50 }, (_, t) => t + s)),
  },
  {
    id: 'my-variant',
    perSeed: Array.from({ length: seeds }, () => Float64Array.from({ length: 50 }, (_, t) => 2 * t)),
  },
];
const options = {
  title: 'Cumulative regret per user',
  yTitle: 'regret',
  subtitle: ['scenario', '$ pnpm simulate --seed 3'],
};

describe('curveChartSpec', () => {
  it('puts the command under the title, one line per decision point and player, with a CI band', () => {
    const spec = curveChartSpec(series(3), options) as unknown as {
      title: { text: string; subtitle: string[] };
      data: { values: { player: string; t: number; mean: number; low?: number; high?: number }[] };
      layer: { mark: { type: string } }[];
    };
    expect(spec.title.text).toBe('Cumulative regret per user');
    expect(spec.title.subtitle).toEqual(['scenario', '$ pnpm simulate --seed 3']);
    expect(spec.data.values).toHaveLength(100);
    const first = spec.data.values[0]!;
    expect(first).toMatchObject({ player: 'linucb-v1', t: 1, mean: 1 });
    expect(first.low).toBeLessThan(1);
    expect(first.high).toBeGreaterThan(1);
    expect(spec.layer.map((layer) => layer.mark.type)).toEqual(['area', 'line']);
  });

  it('has no band with one seed, and a labelled rule for a marker', () => {
    const spec = curveChartSpec(series(1), {
      ...options,
      marker: { at: 25, label: 'abrupt drift' },
    }) as unknown as {
      data: { values: { low?: number }[] };
      layer: { mark: { type: string } }[];
    };
    expect(spec.data.values.every((row) => row.low === undefined)).toBe(true);
    expect(spec.layer.map((layer) => layer.mark.type)).toEqual(['line', 'rule', 'text']);
  });

  it('renders to an SVG and a PNG twice its size, with the subtitle in the picture', async () => {
    const chart = await renderChart(curveChartSpec(series(2), options));
    expect(chart.svg.startsWith('<svg')).toBe(true);
    expect(chart.svg).toContain('$ pnpm simulate --seed 3');
    const width = Number(/width="(\d+)"/.exec(chart.svg)![1]);
    const height = Number(/height="(\d+)"/.exec(chart.svg)![1]);
    expect([chart.width, chart.height]).toEqual([2 * width, 2 * height]);
    expect([...chart.png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it('names the picture in a <title> and leaves no ARIA role on its groups', async () => {
    const chart = await renderChart(curveChartSpec(series(2), options));
    expect(chart.svg).toMatch(
      /^<svg\b[^>]*><title>Cumulative regret per user — scenario — \$ pnpm simulate --seed 3<\/title>/,
    );
    expect(chart.svg).not.toMatch(/ role=|aria-roledescription/);
  });

  it('renders the same data to the same SVG, byte for byte', async () => {
    const [a, b] = await Promise.all([
      renderChart(curveChartSpec(series(3), options)),
      renderChart(curveChartSpec(series(3), options)),
    ]);
    expect(b.svg).toBe(a.svg);
  });
});

describe('discounted variants', () => {
  it('take their policy’s colour and a dashed line, each with its own band', () => {
    const lines = [
      { id: 'egreedy-v1', perSeed: series(2)[0]!.perSeed },
      { id: 'egreedy-v1 γ=0.99', perSeed: series(2)[1]!.perSeed },
    ];
    const spec = curveChartSpec(lines, options) as unknown as {
      data: { values: { player: string; base: string; model: string }[] };
      layer: { encoding: Record<string, { field?: string; scale?: { domain: string[] } }> }[];
    };
    expect(spec.data.values.at(-1)).toMatchObject({
      player: 'egreedy-v1 γ=0.99',
      base: 'egreedy-v1',
      model: 'γ=0.99',
    });
    const [band, line] = spec.layer;
    expect(band!.encoding.detail!.field).toBe('player');
    expect(line!.encoding.color!.scale!.domain).toEqual(['egreedy-v1']);
    expect(line!.encoding.strokeDash!.scale!.domain).toEqual(['stationary', 'γ=0.99']);
    const plain = curveChartSpec(series(2), options) as unknown as { layer: { encoding: object }[] };
    expect(plain.layer.some((layer) => 'strokeDash' in layer.encoding)).toBe(false);
  });
});

describe('helpers', () => {
  it('wrap breaks at spaces within the width', () => {
    expect(wrap('aa bb cc dd', 5)).toEqual(['aa bb', 'cc dd']);
    expect(wrap('a-very-long-word x', 5)).toEqual(['a-very-long-word', 'x']);
    expect(wrap('short', 80)).toEqual(['short']);
  });

  it('samplePoints keeps the first and last decision and at most 200 points', () => {
    expect(samplePoints(5)).toEqual([0, 1, 2, 3, 4]);
    const many = samplePoints(10_000);
    expect(many.length).toBeLessThanOrEqual(200);
    expect(many[0]).toBe(0);
    expect(many.at(-1)).toBe(9_999);
  });

  it('trailingRate is the mean increment over the window', () => {
    const cumulative = Float64Array.from([1, 2, 3, 5, 7, 9]);
    expect([...trailingRate(cumulative, 2)]).toEqual([1, 1, 1, 1.5, 2, 2]);
  });
});
