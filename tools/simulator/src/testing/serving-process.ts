import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** apps/serving's build output, found through the workspace link (a devDependency, so turbo builds it first). */
export const SERVING_MAIN = join(
  dirname(createRequire(import.meta.url).resolve('@oo/serving/package.json')),
  'dist/main.js',
);

export interface ServingProcess {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts the real service (`node dist/main.js`) on a free loopback port with a fresh file store,
 * the way its own tests do, and resolves once it logs 'listening'.
 */
export async function startServing(env: Record<string, string> = {}): Promise<ServingProcess> {
  if (!existsSync(SERVING_MAIN)) {
    throw new Error(`${SERVING_MAIN} is missing: run \`pnpm turbo run build --filter=@oo/serving\``);
  }
  const stateDir = await mkdtemp(join(tmpdir(), 'oo-sim-state-'));
  const child: ChildProcess = spawn(process.execPath, [SERVING_MAIN], {
    cwd: dirname(SERVING_MAIN),
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', STATE_DIR: stateDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-10_000);
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(
      () => reject(new Error(`serving did not listen within 15 s:\n${stderr}`)),
      15_000,
    );
    // Every line is read (the service logs a line per request), so the pipe never fills up.
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        try {
          const record = JSON.parse(line) as { msg?: string; port?: number };
          if (record.msg === 'listening' && typeof record.port === 'number') {
            clearTimeout(timer);
            resolve(record.port);
          }
        } catch {
          // not JSON: ignored
        }
      }
    });
    exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`serving exited with ${code} before listening:\n${stderr}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
