import { defineConfig } from 'tsup';

// A private CLI (the `oo-ope` bin) and the same evaluation as a library, which apps/serving
// bundles for POST /admin/ope: one ESM build, dependencies external (installed by the workspace).
// The shebang lands in index.js too, where Node and esbuild read it as a comment.
export default defineConfig({
  entry: { cli: 'src/cli.ts', index: 'src/index.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
});
