// The run as Markdown tables (stdout; docs/benchmarks.md quotes them) and the targets of issue 7
// checked against it.
import { cpus, loadavg, totalmem } from 'node:os';
import type { BenchOptions } from './bench-options.js';
import type { GrowthSuiteResult } from './growth-suite.js';
import type { MixSuiteResult } from './mix-suite.js';
import type { StateRow } from './state-suite.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  redis: string;
  loadBefore: number[];
  loadAfter?: number[];
  startedAt: string;
}

export interface BenchReport {
  machine: Machine;
  options: BenchOptions;
  mix?: MixSuiteResult;
  growth?: GrowthSuiteResult;
  state?: StateRow[];
}

export function describeMachine(redisVersion: string): Machine {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    redis: redisVersion,
    loadBefore: loadavg().map((x) => Math.round(x * 100) / 100),
    startedAt: new Date().toISOString(),
  };
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '–');
const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–');
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function renderReport(report: BenchReport): string {
  const { machine, options } = report;
  const parts: string[] = [];
  parts.push(
    `Machine: ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.redis}. ` +
      `Load average before: ${machine.loadBefore.join(' / ')}` +
      (machine.loadAfter ? `, after: ${machine.loadAfter.join(' / ')}` : '') +
      ` (1/5/15 min). Started ${machine.startedAt}.` +
      (Object.keys(options.serviceEnv ?? {}).length === 0
        ? ''
        : ` Service environment: ${Object.entries(options.serviceEnv)
            .map(([key, value]) => `\`${key}=${value}\``)
            .join(', ')}.`),
  );

  const mix = report.mix;
  if (mix) {
    const bare = new Map(mix.configs.filter((c) => c.server === 'bare').map((c) => [c.workers, c]));
    parts.push(
      `### Closed loop, ${options.connections} connections, ${options.closedDurationMs / 1000} s\n\n` +
        table(
          [
            'server',
            'processes',
            'req/s',
            '% of bare',
            'server CPU µs/response',
            'p50 ms',
            'p90 ms',
            'p99 ms',
            'p99.9 ms',
            'errors',
            'non-2xx',
            'B/response',
          ],
          mix.configs.map((c) => {
            const ceiling = bare.get(c.workers)?.closed.throughput ?? Number.NaN;
            return [
              c.server,
              String(c.workers),
              int(c.closed.throughput),
              c.server === 'bare' ? '100' : ((100 * c.closed.throughput) / ceiling).toFixed(0),
              int(c.closed.serverCpuMicros),
              ms(c.closed.latency.p50),
              ms(c.closed.latency.p90),
              ms(c.closed.latency.p99),
              ms(c.closed.latency.p999),
              String(c.closed.errors + c.closed.timeouts),
              String(c.closed.non2xx),
              int(c.closed.meanResponseBytes),
            ];
          }),
        ),
    );
    const targets = mix.configs.filter((c) => c.target !== undefined);
    parts.push(
      `### Open loop, ${options.rate} req/s for ${options.targetDurationMs / 1000} s (target: p99 ≤ 5 ms, p99.9 ≤ 20 ms, no errors)\n\n` +
        table(
          [
            'server',
            'processes',
            'achieved req/s',
            'p50 ms',
            'p90 ms',
            'p99 ms',
            'p99.9 ms',
            'max ms',
            'errors',
            'non-2xx',
            'generator lag p99 ms',
            'met',
          ],
          targets.map((c) => {
            const t = c.target!;
            const met = t.latency.p99 <= 5 && t.latency.p999 <= 20 && t.errors === 0 && t.non2xx === 0;
            return [
              c.server,
              String(c.workers),
              int(t.achieved),
              ms(t.latency.p50),
              ms(t.latency.p90),
              ms(t.latency.p99),
              ms(t.latency.p999),
              ms(t.latency.max),
              String(t.errors),
              String(t.non2xx),
              ms(t.sendLag.p99),
              met ? 'yes' : 'no',
            ];
          }),
        ),
    );
    parts.push(
      `### Latency against offered load (${options.sweepDurationMs / 1000} s per point)\n\n` +
        table(
          [
            'server',
            'processes',
            'offered req/s',
            'achieved',
            'p50 ms',
            'p90 ms',
            'p99 ms',
            'p99.9 ms',
            'errors + non-2xx',
            'generator lag p99 ms',
          ],
          mix.configs.flatMap((c) =>
            c.sweep.map((s) => [
              c.server,
              String(c.workers),
              int(s.offered),
              int(s.achieved),
              ms(s.latency.p50),
              ms(s.latency.p90),
              ms(s.latency.p99),
              ms(s.latency.p999),
              String(s.errors + s.non2xx),
              ms(s.sendLag.p99),
            ]),
          ),
        ),
    );
    parts.push(
      '### Start-up (spawn to the first 200 of /health) and memory after the runs\n\n' +
        table(
          ['server', 'processes', 'start-up ms', 'RSS MiB (all processes)'],
          mix.configs.map((c) => [c.server, String(c.workers), int(c.startupMs), mib(c.rssAfterBytes)]),
        ),
    );
  }

  const growth = report.growth;
  if (growth) {
    parts.push(
      `### Cost growth (${options.growthDurationMs / 1000} s closed loop, then ${options.growthDurationMs / 1000} s open loop at ${options.growthRate} req/s)\n\n` +
        table(
          [
            'server',
            'processes',
            'varies',
            'value',
            'closed req/s',
            'server CPU µs/response',
            'closed p99 ms',
            'open p50 ms',
            'open p99 ms',
            'open p99.9 ms',
            'errors + non-2xx',
          ],
          growth.rows.map((r) => [
            r.server,
            String(r.workers),
            r.axis,
            String(r.value),
            int(r.closed.throughput),
            int(r.closed.serverCpuMicros),
            ms(r.closed.latency.p99),
            ms(r.open.latency.p50),
            ms(r.open.latency.p99),
            ms(r.open.latency.p999),
            String(r.open.errors + r.open.non2xx + r.closed.errors + r.closed.non2xx),
          ]),
        ),
    );
    parts.push(
      '### Scoring math in process (load model with Cholesky, encode, decide), one core\n\n' +
        table(
          ['policy', 'd', 'candidates', 'µs per decision'],
          growth.scoringCost.map((c) => [
            c.policy,
            String(c.d),
            String(c.candidates),
            c.microseconds.toFixed(1),
          ]),
        ),
    );
  }

  if (report.state) {
    parts.push(
      `### State with ${int(options.stateUsers)} users (each scored once through the service)\n\n` +
        table(
          [
            'backend',
            'processes',
            'record B/user',
            'occupied B/user',
            'seed s',
            'start-up ms',
            'RSS idle MiB',
            'RSS after MiB',
            'backend RSS MiB',
            'touch s',
            'errors',
          ],
          report.state.map((r) => [
            r.server,
            String(r.workers),
            int(r.recordBytesPerUser),
            int(r.occupiedBytesPerUser),
            r.seedSeconds.toFixed(1),
            int(r.startupMs),
            mib(r.rssIdleBytes),
            mib(r.rssAfterBytes),
            r.backendRssBytes === 0 ? '–' : mib(r.backendRssBytes),
            r.touchSeconds.toFixed(1),
            String(r.touchErrors),
          ]),
        ),
    );
  }
  return `${parts.join('\n\n')}\n`;
}
