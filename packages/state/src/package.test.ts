// Tests of the built package (dist, ESM and CJS) as a consumer sees it, through its own name.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

/** Runs a snippet in a fresh node process inside the package, so `@oo/state` resolves to dist. */
async function node(type: 'module' | 'commonjs', code: string): Promise<string> {
  const { stdout } = await run(process.execPath, [`--input-type=${type}`, '-e', code], { cwd: PACKAGE_DIR });
  return stdout.trim();
}

// Fails any ESM resolution of `ioredis` in the process it is registered in.
const BLOCK_IOREDIS = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(
  'export async function resolve(s, c, next) { if (s === "ioredis" || s.startsWith("ioredis/")) throw new Error("ioredis loaded"); return next(s, c); }'
));
`;

const EXPORTS = {
  '@oo/state': [
    'ConsumerFigures',
    'CorruptRecordError',
    'DECISION_LOG_SIZE',
    'DecisionCandidateRecord',
    'DecisionPolicyParams',
    'DecisionRecord',
    'MAX_CANDIDATES_PER_DECISION',
    'FiguresRecord',
    'InvalidUserIdError',
    'LIST_USERS_PAGE_SIZE',
    'MAX_LIST_USERS_PAGE_SIZE',
    'POLICY_KEY_PATTERN',
    'PolicyRecord',
    'SCHEMA_VERSION',
    'SYNC_EVENT_IDS_SIZE',
    'StateError',
    'StoreUnavailableError',
    'SyncRecord',
    'USER_ID_PATTERN',
    'UnknownSchemaVersionError',
    'UserState',
    'assertUserId',
    'emptyUserState',
    'isValidUserId',
  ],
  '@oo/state/file': ['createFileStore', 'parseRecordDirName', 'recordDirName'],
  '@oo/state/redis': ['createRedisStore'],
  '@oo/state/testing': ['findFreePort', 'startRedisServer'],
};

describe('built package', () => {
  beforeAll(() => {
    if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
      throw new Error('dist is missing: build first (pnpm turbo run build --filter=@oo/state)');
    }
  });

  it('exports the documented names from every entry, in ESM and in CJS', async () => {
    const code = (load: string) =>
      `const names = {}; for (const e of ${JSON.stringify(Object.keys(EXPORTS))}) names[e] = Object.keys(${load}(e)).filter((k) => k !== 'default' && k !== '__esModule').sort(); console.log(JSON.stringify(names));`;
    const esm = JSON.parse(await node('module', code('await import')));
    const cjs = JSON.parse(await node('commonjs', code('require')));
    const expected = Object.fromEntries(Object.entries(EXPORTS).map(([k, v]) => [k, [...v].sort()]));
    expect(esm).toEqual(expected);
    expect(cjs).toEqual(expected);
  });

  it('never loads ioredis for users of @oo/state and @oo/state/file (ESM)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oo-state-package-'));
    try {
      expect(
        await node(
          'module',
          `${BLOCK_IOREDIS}
           const { createFileStore } = await import('@oo/state/file');
           await import('@oo/state'); await import('@oo/state/testing');
           const store = createFileStore({ dir: ${JSON.stringify(dir)} });
           await store.updateUser('u1', (state) => ({ result: null, state }));
           console.log(JSON.stringify(await store.readUser('u1')));`,
        ),
      ).toBe('{"v":1,"user_id":"u1","policies":{},"decisions":[]}');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    // The same guard does catch the Redis entry, so the check above can fail.
    await expect(node('module', `${BLOCK_IOREDIS} await import('@oo/state/redis');`)).rejects.toThrow(
      /ioredis loaded/,
    );
  });

  it('never loads ioredis for users of @oo/state and @oo/state/file (CJS)', async () => {
    const loaded = `Object.keys(require.cache).some((path) => path.includes('/ioredis/'))`;
    expect(
      await node(
        'commonjs',
        `require('@oo/state'); require('@oo/state/file'); require('@oo/state/testing');
         const before = ${loaded}; require('@oo/state/redis');
         console.log(JSON.stringify([before, ${loaded}]));`,
      ),
    ).toBe('[false,true]');
  });

  it('throws the root entry’s error classes from the backends, in ESM and in CJS', async () => {
    const check = (load: string) => `
      const root = ${load}('@oo/state');
      const { createFileStore } = ${load}('@oo/state/file');
      const { createRedisStore } = ${load}('@oo/state/redis');
      const errors = [];
      await createFileStore({ dir: '/nonexistent' }).readUser('../x').catch((e) => errors.push(e));
      const redis = createRedisStore({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 50 });
      await redis.readUser('../x').catch((e) => errors.push(e));
      await redis.ping().catch((e) => errors.push(e));
      await redis.close();
      console.log(JSON.stringify(errors.map((e) => [e.name, e instanceof root.StateError, e instanceof root.InvalidUserIdError || e instanceof root.StoreUnavailableError])));`;
    const expected = JSON.stringify([
      ['InvalidUserIdError', true, true],
      ['InvalidUserIdError', true, true],
      ['StoreUnavailableError', true, true],
    ]);
    expect(await node('module', check('await import'))).toBe(expected);
    expect(await node('commonjs', `(async () => { ${check('require')} })()`)).toBe(expected);
  });
});
