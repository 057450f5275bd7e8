export {
  type CurveChartOptions,
  curveChartSpec,
  type RenderedChart,
  renderChart,
  type Series,
} from './charts.js';
export { SimulationError } from './errors.js';
export { httpPolicy } from './http-players.js';
export { parseSimulateArgs, reproducingCommand, type SimulateOptions, USAGE } from './options.js';
export { BASELINE_IDS, inProcessPolicy, ORACLE, type Player, type PlayerKind, UNIFORM } from './players.js';
export { createPopulation, type DriftKind, type SimUser } from './population.js';
export { markdownTable, type PlayerSummary, summarise } from './report.js';
export { type PlayerCurves, runSimulation, type SimulationOptions, type SimulationResult } from './run.js';
export { type Interval, interval, t975 } from './stats.js';
export { DEFAULT_START, type Round, rewardOf, UserWorld } from './world.js';
