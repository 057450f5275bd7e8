import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import * as vl from 'vega-lite';
import { interval } from './stats.js';

/** Points per curve: enough for a smooth line, few enough for a small SVG. */
const MAX_POINTS = 200;

// One colour per player, fixed, so a policy looks the same in every figure (Tableau 10, Vega's
// default scheme). Players not listed get the remaining colours in order.
const COLOURS: Record<string, string> = {
  'linucb-v1': '#4c78a8',
  'egreedy-v1': '#f58518',
  'egreedy-v2': '#54a24b',
  uniform: '#9d755d',
  oracle: '#222222',
};
const SPARE_COLOURS = ['#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#ff9da6', '#bab0ac'];
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const WIDTH = 720;
const HEIGHT = 380;
const SUBTITLE_FONT_SIZE = 11;
// Without a canvas, Vega estimates a text's width as 0.8 × font size per character
// (vega-scenegraph textMetrics) and sizes the SVG to fit: longer subtitle lines would widen the
// picture with empty space, so they are wrapped to what the estimate fits in the plot's width.
const SUBTITLE_CHARS = Math.floor(WIDTH / (0.8 * SUBTITLE_FONT_SIZE));

/** One line of a chart: a player's curve for each seed (all of the same length). */
export interface Series {
  id: string;
  perSeed: readonly Float64Array[];
}

export interface CurveChartOptions {
  title: string;
  yTitle: string;
  /** Lines under the title: the scenario, then the command and seeds that made the figure. */
  subtitle: readonly string[];
  /** Decision number of a vertical marker (the drift point), if any. */
  marker?: { at: number; label: string };
}

interface Row {
  player: string;
  /** The player's base id (its colour), and its model: 'stationary' or 'γ=…' (its dash). */
  base: string;
  model: string;
  t: number;
  mean: number;
  low?: number;
  high?: number;
}

const STATIONARY = 'stationary';

/** `egreedy-v1 γ=0.99` → base `egreedy-v1`, model `γ=0.99`; anything else is stationary. */
function splitId(id: string): { base: string; model: string } {
  const space = id.indexOf(' ');
  return space < 0
    ? { base: id, model: STATIONARY }
    : { base: id.slice(0, space), model: id.slice(space + 1) };
}

/**
 * The Vega-Lite spec of a learning-curve chart: mean over seeds, a 95% CI band when seeds ≥ 2.
 * A discounted variant (`<policy> γ=…`) takes its policy's colour and a dashed line.
 */
export function curveChartSpec(series: readonly Series[], options: CurveChartOptions): TopLevelSpec {
  const rows: Row[] = [];
  for (const { id, perSeed } of series) {
    const { base, model } = splitId(id);
    for (const t of samplePoints(perSeed[0]?.length ?? 0)) {
      const ci = interval(perSeed.map((curve) => curve[t]!));
      const row: Row = { player: id, base, model, t: t + 1, mean: ci.mean };
      if (!Number.isNaN(ci.halfWidth)) Object.assign(row, { low: ci.low, high: ci.high });
      rows.push(row);
    }
  }
  const bases = [...new Set(series.map((line) => splitId(line.id).base))];
  const models = [...new Set(series.map((line) => splitId(line.id).model))];
  let spare = 0;
  const range = bases.map((id) => COLOURS[id] ?? SPARE_COLOURS[spare++ % SPARE_COLOURS.length]!);
  const withBand = rows.some((row) => row.low !== undefined);
  const legend = {
    orient: 'top-left',
    fillColor: 'white',
    padding: 6,
    symbolType: 'stroke',
    symbolStrokeWidth: 3,
    symbolOpacity: 1,
  } as const;
  const x = { field: 't', type: 'quantitative', title: 'decisions per user' } as const;
  const color = {
    field: 'base',
    type: 'nominal',
    title: null,
    scale: { domain: bases, range },
    legend,
  } as const;
  const dash =
    models.length > 1
      ? {
          strokeDash: {
            field: 'model',
            type: 'nominal' as const,
            title: null,
            scale: { domain: models, range: models.map((_, i) => (i === 0 ? [1, 0] : [6 / i, 3])) },
            legend: { ...legend, symbolStrokeColor: '#444444' },
          },
        }
      : {};
  const layers: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [];
  if (withBand) {
    layers.push({
      mark: { type: 'area', opacity: 0.15 },
      encoding: {
        x,
        y: { field: 'low', type: 'quantitative', title: options.yTitle },
        y2: { field: 'high' },
        // One band per player; Vega-Lite merges this colour legend with the lines' one.
        color,
        detail: { field: 'player' },
      },
    });
  }
  layers.push({
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x,
      y: { field: 'mean', type: 'quantitative', title: options.yTitle },
      color,
      detail: { field: 'player' },
      ...dash,
    },
  });
  if (options.marker) {
    layers.push({
      data: { values: [{ t: options.marker.at, label: options.marker.label }] },
      mark: { type: 'rule', strokeDash: [4, 4], color: '#666666' },
      encoding: { x: { field: 't', type: 'quantitative' } },
    });
    layers.push({
      data: { values: [{ t: options.marker.at, label: options.marker.label }] },
      mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, dy: 4, y: 0, color: '#444444' },
      encoding: { x: { field: 't', type: 'quantitative' }, text: { field: 'label' } },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: options.title,
      subtitle: options.subtitle.flatMap((line) => wrap(line, SUBTITLE_CHARS)),
      anchor: 'start',
      subtitleFontSize: SUBTITLE_FONT_SIZE,
      subtitleColor: '#444444',
    },
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    padding: 12,
    data: { values: rows },
    layer: layers,
    config: {
      aria: false,
      font: FONT,
      legend: { labelFontSize: 12 },
      axis: { labelFontSize: 11, titleFontSize: 12 },
    },
  } as TopLevelSpec;
}

/**
 * The SVG as committed to docs/: its title and subtitle in a `<title>` element (the picture's
 * accessible name), and without the ARIA roles Vega puts on `<g>` containers, which Biome's a11y
 * rules (run by `pnpm lint` over the repository) reject on SVG group elements.
 */
function titled(svg: string, spec: TopLevelSpec): string {
  const title = spec.title as { text: string; subtitle?: string[] } | undefined;
  const text = [title?.text ?? 'chart', ...(title?.subtitle ?? [])].join(' — ');
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return svg
    .replace(/ (?:role|aria-roledescription)="[^"]*"/g, '')
    .replace(/^<svg\b[^>]*>/, (root) => `${root}<title>${escaped}</title>`);
}

/** Greedy word wrap at spaces; a word longer than `width` gets a line of its own. */
export function wrap(line: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (current !== '' && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else {
      current = current === '' ? word : `${current} ${word}`;
    }
  }
  lines.push(current);
  return lines;
}

/**
 * The per-decision rate of a cumulative curve over a trailing window: (C[t] − C[t − w]) / w, or
 * C[t] / (t + 1) while fewer than w decisions have been made.
 */
export function trailingRate(cumulative: Float64Array, window: number): Float64Array {
  const out = new Float64Array(cumulative.length);
  for (let t = 0; t < cumulative.length; t++) {
    out[t] = t < window ? cumulative[t]! / (t + 1) : (cumulative[t]! - cumulative[t - window]!) / window;
  }
  return out;
}

/** Every decision index when there are few, else evenly spaced ones that include the last. */
export function samplePoints(rounds: number): number[] {
  if (rounds <= MAX_POINTS) return Array.from({ length: rounds }, (_, t) => t);
  const points = new Set<number>();
  for (let i = 0; i < MAX_POINTS; i++) points.add(Math.round((i * (rounds - 1)) / (MAX_POINTS - 1)));
  return [...points];
}

export interface RenderedChart {
  svg: string;
  png: Buffer;
  width: number;
  height: number;
}

/** Vega-Lite → Vega → SVG (headless, no canvas), then resvg → PNG at twice the SVG's size. */
export async function renderChart(spec: TopLevelSpec): Promise<RenderedChart> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    const svg = titled(await view.toSVG(), spec);
    const image = new Resvg(svg, {
      background: 'white',
      fitTo: { mode: 'zoom', value: 2 },
      font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    }).render();
    return { svg, png: image.asPng(), width: image.width, height: image.height };
  } finally {
    view.finalize();
  }
}
