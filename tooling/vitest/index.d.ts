import type { UserConfig } from 'vitest/config';

export declare function ooVitestConfig(packageDir: string, overrides?: UserConfig): UserConfig;
