import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** apps/serving, whatever the current directory. */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST_MAIN = join(PACKAGE_DIR, 'dist/main.js');

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Every stdout line, parsed (the service logs JSON lines). */
  readonly lines: Record<string, unknown>[];
  readonly stderr: () => string;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Runs a built entry point (default: dist/main.js) and resolves once it logs 'listening'. */
export async function spawnService(options: {
  env: Record<string, string>;
  main?: string;
  cwd?: string;
  timeoutMs?: number;
}): Promise<ServiceProcess> {
  const main = options.main ?? DIST_MAIN;
  if (!existsSync(main))
    throw new Error(`${main} is missing: run \`pnpm turbo run build --filter=@oo/serving\``);
  const started = startProcess(main, { PORT: '0', HOST: '127.0.0.1', ...options.env }, options.cwd);
  const { child, lines } = started;
  const listening = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`no 'listening' line within ${options.timeoutMs ?? 15_000} ms:\n${started.stderr()}`),
        ),
      options.timeoutMs ?? 15_000,
    );
    started.onLine = (line) => {
      if (line.msg === 'listening') {
        clearTimeout(timer);
        resolve(line);
      }
    };
    started.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${started.stderr()}`));
    });
  });
  return {
    child,
    lines,
    url: `http://127.0.0.1:${listening.port}`,
    stderr: started.stderr,
    exited: started.exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return started.exited;
    },
  };
}

/** Starts `node <main>` and collects its output, without waiting for anything. */
export function startProcess(main: string, env: Record<string, string>, cwd?: string) {
  const child = spawn(process.execPath, [main], {
    cwd: cwd ?? dirname(main),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const lines: Record<string, unknown>[] = [];
  let stdout = '';
  let stderr = '';
  const state = {
    child,
    lines,
    stderr: () => stderr,
    onLine: undefined as ((line: Record<string, unknown>) => void) | undefined,
    exited: once(child, 'exit').then(([code]) => {
      children.delete(child);
      return code as number | null;
    }),
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    let newline = stdout.indexOf('\n');
    while (newline >= 0) {
      const text = stdout.slice(0, newline);
      stdout = stdout.slice(newline + 1);
      newline = stdout.indexOf('\n');
      try {
        const line = JSON.parse(text) as Record<string, unknown>;
        lines.push(line);
        state.onLine?.(line);
      } catch {
        stderr += `[stdout] ${text}\n`;
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-20_000);
  });
  return state;
}
