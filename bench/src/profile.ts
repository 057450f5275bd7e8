// `pnpm --filter @oo/bench profile -- [--backend file|redis] [--seconds 10] [--workers 1] [--out dir]`:
// runs the service under `node --cpu-prof` (each cluster worker writes its own profile) while the
// closed-loop mix drives it, then prints where the CPU time went (self time by function and by
// package). The .cpuprofile files stay in --out for Chrome DevTools or speedscope.
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type BackendName, createBackend, createScratchDir } from './backends.js';
import { runClosedLoop } from './closed-loop.js';
import { log } from './log.js';
import { DEFAULT_MIX, Mix } from './mix.js';
import { describeClosed } from './mix-suite.js';
import { startService } from './processes.js';
import { seedUsers } from './seed.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      backend: { type: 'string', default: 'file' },
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '32' },
      out: { type: 'string' },
      top: { type: 'string', default: '40' },
      workers: { type: 'string', default: '1' },
    },
  });
  const scratch = await createScratchDir();
  const out = resolve(values.out ?? join(scratch, 'profiles'));
  const backend = await createBackend(values.backend as BackendName, scratch);
  const mix = new Mix(DEFAULT_MIX);
  try {
    await backend.reset();
    const seeder = backend.openStore();
    await seedUsers(seeder, DEFAULT_MIX.users, (i) => mix.userId(i)).finally(() => seeder.close());
    const service = await startService({
      env: { ...backend.env(), WEB_CONCURRENCY: values.workers },
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${out}`],
      logFile: join(scratch, 'serving.log'),
    });
    try {
      const closed = await runClosedLoop({
        url: service.url,
        mix,
        connections: Number(values.connections),
        durationMs: Number(values.seconds) * 1000,
      });
      log(`closed loop: ${describeClosed(closed)}`);
    } finally {
      await service.stop();
    }
  } finally {
    await backend.close();
  }
  for (const name of await readdir(out)) {
    if (!name.endsWith('.cpuprofile')) continue;
    const profile = JSON.parse(await readFile(join(out, name), 'utf8')) as CpuProfile;
    process.stdout.write(`\n## ${join(out, name)}\n${summarizeProfile(profile, Number(values.top))}`);
  }
}

function summarizeProfile(profile: CpuProfile, top: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = profile.endTime - profile.startTime;
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, micros] of self) {
    const { callFrame } = byId.get(id)!;
    const where = callFrame.url.replace(/^file:\/\//, '');
    const pkg =
      /node_modules\/\.pnpm\/([^/]+)\//.exec(where)?.[1] ??
      (where.startsWith('node:')
        ? 'node:internal'
        : where === ''
          ? `(${callFrame.functionName || 'native'})`
          : where.replace(/.*\/(apps|packages)\//, '$1/'));
    const fn = `${callFrame.functionName || '(anonymous)'} ${where.split('/').slice(-2).join('/')}:${callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
  }
  const rows = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => `${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}`)
      .join('\n');
  return `self time by package/file:\n${rows(byPackage)}\n\nself time by function:\n${rows(byFunction)}\n`;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
