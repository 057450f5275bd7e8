import { defineConfig } from 'tsup';

// The deployable: the worker (main.ts) and the operator's dead-letter CLI, with the workspace
// packages bundled in; npm dependencies stay external and are installed by `pnpm deploy --prod`.
export default defineConfig({
  entry: { main: 'src/main.ts', 'dead-letters': 'src/cli/dead-letters.ts' },
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  noExternal: [/^@oo\//],
});
