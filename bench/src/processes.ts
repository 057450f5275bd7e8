// Starting and stopping the processes under test: the service (apps/serving/dist/main.js, built by
// turbo before `bench` runs) and the bare ceiling server, each on a free loopback port.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '@oo/state/testing';

const HERE = dirname(fileURLToPath(import.meta.url));
export const SERVING_MAIN = join(HERE, '../../apps/serving/dist/main.js');
const BARE_SERVER = join(HERE, 'bare-server.ts');

export interface RunningProcess {
  readonly url: string;
  readonly pid: number;
  /** Milliseconds from spawn to the first 200 of GET /health. */
  readonly startupMs: number;
  /** Resident memory of the process and its children (cluster workers), bytes. */
  rss(): number;
  /** CPU time (user + system) the process and its children have used, milliseconds. */
  cpuMs(): number;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface ServiceOptions {
  /** STATE_BACKEND, STATE_DIR, REDIS_URL, WEB_CONCURRENCY, …; PORT and HOST are set here. */
  env: Record<string, string>;
  /** Where the service's stdout (its JSON log, one access line per request) goes. */
  logFile: string;
  /** Options for node itself, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS). */
  nodeArgs?: string[];
  /** Another build of the service to measure, e.g. an earlier commit's. @default SERVING_MAIN */
  main?: string;
}

export async function startService(options: ServiceOptions): Promise<RunningProcess> {
  const main = options.main ?? SERVING_MAIN;
  if (!existsSync(main)) {
    throw new Error(`${main} is missing: run \`pnpm turbo run build --filter=@oo/serving\``);
  }
  const port = await findFreePort();
  const log = openSync(options.logFile, 'a');
  return launch(
    [...(options.nodeArgs ?? []), main],
    { ...options.env, PORT: String(port), HOST: '127.0.0.1' },
    port,
    ['ignore', log, 'pipe'],
    dirname(main),
  );
}

export async function startBareServer(workers: number): Promise<RunningProcess> {
  const port = await findFreePort();
  return launch(
    ['--import', 'tsx', BARE_SERVER, String(port), String(workers)],
    {},
    port,
    ['ignore', 'ignore', 'pipe'],
    HERE,
  );
}

async function launch(
  args: string[],
  env: Record<string, string>,
  port: number,
  stdio: ['ignore', 'ignore' | number, 'pipe'],
  cwd: string,
): Promise<RunningProcess> {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio,
  });
  live.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-10_000);
  });
  const exited = once(child, 'exit');
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${args.join(' ')} exited before answering /health:\n${stderr}`);
    }
    if ((await healthStatus(url)) === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${args.join(' ')} did not answer /health within 30 s:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const startupMs = performance.now() - started;
  const pid = child.pid ?? 0;
  return {
    url,
    pid,
    startupMs,
    rss: () => treeRss(pid),
    cpuMs: () => treeCpuMs(pid),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      live.delete(child);
    },
  };
}

/**
 * Waits until the server is idle again — three answers from /health within 100 ms in a row — so
 * one measurement's backlog (an overloaded open-loop run leaves requests queued) does not spill
 * into the next. Gives up quietly after `maxMs`.
 */
export async function settle(url: string, maxMs = 60_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  for (let fast = 0; fast < 3 && Date.now() < deadline; ) {
    const started = performance.now();
    const status = await healthStatus(url);
    fast = status === 200 && performance.now() - started < 100 ? fast + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function healthStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = get(`${url}/health`, { timeout: 1_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** VmRSS of `pid` and of every process whose parent it is (Linux /proc). */
export function treeRss(pid: number): number {
  return [pid, ...childrenOf(pid)].reduce((sum, each) => sum + rssOf(each), 0);
}

/** utime + stime of `pid` and its children, ms (Linux /proc; clock ticks are 10 ms). */
export function treeCpuMs(pid: number): number {
  return [pid, ...childrenOf(pid)].reduce((sum, each) => sum + cpuMsOf(each), 0);
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    // Field 4 is the parent pid; the command name (field 2) may hold spaces, so split after ')'.
    if (Number(statFields(Number(entry))?.[1]) === pid) children.push(Number(entry));
  }
  return children;
}

function cpuMsOf(pid: number): number {
  const fields = statFields(pid);
  return fields === undefined ? 0 : (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The fields of /proc/<pid>/stat after the command name (field 3 first); undefined if gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? 0 : Number(kb) * 1024;
  } catch {
    return 0;
  }
}
