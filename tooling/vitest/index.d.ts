import type { UserConfig } from 'vitest/config';

export declare function ooVitestConfig(packageDir: string, overrides?: UserConfig): UserConfig;
export declare function ooFaultsVitestConfig(packageDir: string, overrides?: UserConfig): UserConfig;
