import { defineConfig } from 'tsup';

// The deployable: main.ts plus the workspace packages bundled in; npm dependencies stay external
// and are installed by `pnpm deploy --prod`. The backends of @oo/state stay dynamic imports, so
// they become chunks that a file-store deployment never loads (nor ioredis with them).
// ope-worker is the entry of the thread POST /admin/ope evaluates in; it is loaded by its URL
// beside main.js (dist/ope-worker.js), so it must be an entry of its own, not a chunk.
export default defineConfig({
  entry: { main: 'src/main.ts', 'ope-worker': 'src/ope/ope-worker.ts' },
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
