import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { CliRun } from './run-cli.js';

/** tools/ope's build output (`pnpm ope`), found through the workspace link (a devDependency, so turbo builds it first). */
export const OPE_CLI = join(
  dirname(createRequire(import.meta.url).resolve('@oo/ope/package.json')),
  'dist/cli.js',
);

/** Runs the built `pnpm ope` CLI as a child process. */
export function runOpe(args: readonly string[]): Promise<CliRun> {
  if (!existsSync(OPE_CLI))
    throw new Error(`${OPE_CLI} is missing: run \`pnpm turbo run build --filter=@oo/ope\``);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [OPE_CLI, ...args], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
