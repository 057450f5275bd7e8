import { defineConfig } from 'tsup';

// The deployable: main.ts plus the workspace packages bundled in; npm dependencies stay external
// and are installed by `pnpm deploy --prod`. The backends of @oo/state stay dynamic imports, so
// they become chunks that a file-store deployment never loads (nor ioredis with them).
export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  noExternal: [/^@oo\//],
  esbuildOptions(options) {
    // @oo/state's dist re-imports its shared chunks bare under `sideEffects: false`; esbuild warns
    // that it drops those imports, which is right: the bindings come through the named imports.
    options.logOverride = { ...options.logOverride, 'ignored-bare-import': 'silent' };
  },
});
