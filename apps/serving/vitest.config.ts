import { ooVitestConfig } from '@oo/vitest-config';

// Two workers even on a 2-core machine: the slowest files mostly wait on child processes
// (dist/main.js, redis-server, pnpm deploy, Chromium) rather than compute.
export default ooVitestConfig(import.meta.dirname, { test: { maxWorkers: 2 } });
