// Shared vitest settings. Every package writes a JSON report under <repo>/.reports/ so that
// .ci/run can total passes and failures across the whole workspace in one line.
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function reporters(reportName) {
  return ['default', ['json', { outputFile: resolve(REPO_ROOT, '.reports', `${reportName}.json`) }]];
}

/** @param {string} packageDir absolute path of the package (pass `import.meta.dirname`) */
export function ooVitestConfig(packageDir, overrides = {}) {
  const name = basename(packageDir);
  return defineConfig({
    ...overrides,
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      reporters: reporters(name),
      ...overrides.test,
    },
  });
}

/**
 * The fault suite of a package (`pnpm test:faults`): only `*.faults.ts` files, which inject real
 * faults (killed processes, stopped servers) and so never run in `pnpm test`. Its report is
 * `.reports/<pkg>-faults.json`, beside the package's ordinary one.
 * @param {string} packageDir absolute path of the package (pass `import.meta.dirname`)
 */
export function ooFaultsVitestConfig(packageDir, overrides = {}) {
  const name = basename(packageDir);
  return defineConfig({
    ...overrides,
    test: {
      include: ['src/**/*.faults.ts'],
      testTimeout: 120_000,
      hookTimeout: 60_000,
      reporters: reporters(`${name}-faults`),
      ...overrides.test,
    },
  });
}
