import { defineConfig } from 'tsup';

// A private CLI: one ESM entry with a shebang (the `oo-ope` bin); dependencies stay external
// (installed by the workspace).
export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
});
