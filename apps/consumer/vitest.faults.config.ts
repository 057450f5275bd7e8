import { ooFaultsVitestConfig } from '@oo/vitest-config';

// One file at a time: each injects a fault into processes it owns and measures how long recovery
// takes, which a second fault file competing for the two cores would distort.
export default ooFaultsVitestConfig(import.meta.dirname, { test: { maxWorkers: 1 } });
