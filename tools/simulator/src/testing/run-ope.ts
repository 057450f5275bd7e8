import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type CliRun, runBuiltScript } from './run-cli.js';

/** tools/ope's build output (`pnpm ope`), found through the workspace link (a devDependency, so turbo builds it first). */
export const OPE_CLI = join(
  dirname(createRequire(import.meta.url).resolve('@oo/ope/package.json')),
  'dist/cli.js',
);

/** Runs the built `pnpm ope` CLI as a child process. */
export function runOpe(args: readonly string[]): Promise<CliRun> {
  return runBuiltScript(OPE_CLI, '@oo/ope', args);
}
