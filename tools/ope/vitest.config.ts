import { ooVitestConfig } from '@oo/vitest-config';

export default ooVitestConfig(import.meta.dirname);
