import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreBody } from './testing/bodies.js';
import { playEgreedy } from './testing/decision-log.js';
import { get, post } from './testing/http.js';
import { PACKAGE_DIR, spawnService } from './testing/spawn-service.js';

const run = promisify(execFile);
const DEPLOY_ADMIN_TOKEN = 'deploy-admin-token-0123456789';

// What the Dockerfile does: `pnpm deploy --prod` of the built app into a directory holding only
// its package.json, dist/ and production node_modules, then `node dist/main.js` from there.
describe('the deployable', () => {
  let root: string;
  let target: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'oo-serving-deploy-'));
    target = join(root, 'app');
    await run(
      'pnpm',
      ['--filter', '@oo/serving', 'deploy', '--prod', '--legacy', '--prefer-offline', target],
      {
        cwd: join(PACKAGE_DIR, '../..'),
        timeout: 60_000,
      },
    );
  }, 90_000);
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('holds the build output and no workspace sources', () => {
    expect(existsSync(join(target, 'dist/main.js'))).toBe(true);
    expect(existsSync(join(target, 'dist/ope-worker.js'))).toBe(true);
    expect(existsSync(join(target, 'src'))).toBe(false);
    expect(existsSync(join(target, 'node_modules/swagger-ui-dist/swagger-ui-bundle.js'))).toBe(true);
  });

  it('starts from its build output alone: no workspace packages, no ioredis on the file store', async () => {
    // The workspace packages are bundled into dist/, and a file-store deployment never loads the
    // Redis client: take both away entirely.
    await rm(join(target, 'node_modules/@oo'), { recursive: true, force: true });
    await rm(join(target, 'node_modules/ioredis'), { recursive: true, force: true });
    const service = await spawnService({
      main: join(target, 'dist/main.js'),
      cwd: target,
      env: { STATE_DIR: join(root, 'state'), ADMIN_TOKEN: DEPLOY_ADMIN_TOKEN, DECISION_LOG_CANDIDATES: '1' },
    });
    try {
      const health = await get(service.url, '/health');
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ ok: true, state: { backend: 'file', ok: true } });
      expect((await post(service.url, '/score', scoreBody('deployed-user'))).status).toBe(200);
      const css = await fetch(`${service.url}/docs/assets/swagger-ui.css`);
      expect(css.status).toBe(200);
      expect((await get(service.url, '/openapi.json')).body.openapi).toBe('3.1.0');
      // POST /admin/ope evaluates in a thread whose entry is dist/ope-worker.js.
      await playEgreedy(service.url, 'deployed-ope', 6, { start: Date.now() });
      const ope = await post(
        service.url,
        '/admin/ope',
        {},
        { authorization: `Bearer ${DEPLOY_ADMIN_TOKEN}` },
      );
      expect(ope.status).toBe(200);
      expect(ope.body.groups[0]).toMatchObject({ policy: 'egreedy-v1', decisions: 6 });
    } finally {
      expect(await service.stop()).toBe(0);
    }
  });
});
