import { defineConfig } from 'tsup';

// One entry per backend so that users of the file store never load the Redis client.
// `testing/store-worker` is the child process of the multi-process tests (not an export).
// Splitting (for CJS too) keeps one copy of the shared modules, so an error class thrown by
// `@oo/state/file` is the very class `@oo/state` exports and `instanceof` holds across entries.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'file/index': 'src/file/index.ts',
    'redis/index': 'src/redis/index.ts',
    'testing/index': 'src/testing/index.ts',
    'testing/store-worker': 'src/testing/store-worker.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  target: 'node20',
  external: ['ioredis'],
});
