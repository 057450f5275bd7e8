// Shared vitest settings. Every package writes a JSON report under <repo>/.reports/ so that
// .ci/run can total passes and failures across the whole workspace in one line.
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** @param {string} packageDir absolute path of the package (pass `import.meta.dirname`) */
export function ooVitestConfig(packageDir, overrides = {}) {
  const name = basename(packageDir);
  return defineConfig({
    ...overrides,
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      reporters: ['default', ['json', { outputFile: resolve(REPO_ROOT, '.reports', `${name}.json`) }]],
      ...overrides.test,
    },
  });
}
