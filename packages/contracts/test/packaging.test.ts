import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as source from '../src/index.js';

const PACKAGE_DIR = join(import.meta.dirname, '..');
const run = promisify(execFile);

// A fresh Node process resolves `@oo/contracts` through its own package.json "exports" (self
// reference), exactly as a dependent package would, loading the ESM and the CJS build side by side.
const PROBE = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const esm = await import('@oo/contracts');
const cjs = require('@oo/contracts');
const event = {
  event_id: 'e1', occurred_at: '2025-01-31T09:30:00Z', user_id: 'u1',
  last_sync_ts: '2025-01-31T09:29:58Z', task_count: 3,
};
const verdicts = (m) => [
  m.TaskSyncedEvent.safeParse(event).success,
  m.TaskSyncedEvent.safeParse({ ...event, user_id: '../x' }).success,
  m.eventSchemaForSubject('feedback.app') === m.FeedbackEvent,
];
const schema = require('@oo/contracts/schemas/TaskSyncedEvent.json');
const index = require('@oo/contracts/schemas/index.json');
console.log(JSON.stringify({
  esm: Object.keys(esm).sort(),
  cjs: Object.keys(cjs).filter((k) => k !== 'default' && k !== '__esModule').sort(),
  esmVerdicts: verdicts(esm),
  cjsVerdicts: verdicts(cjs),
  schemaTitle: schema.title,
  indexEvents: index.events,
}));
`;

describe('the built package', () => {
  it('loads through ESM import and CJS require in one process, with the source’s exports', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '--eval', PROBE], {
      cwd: PACKAGE_DIR,
      timeout: 20_000,
    });
    const probe = JSON.parse(stdout);
    const names = Object.keys(source).sort();
    expect(probe.esm).toEqual(names);
    expect(probe.cjs).toEqual(names);
    expect(probe.esmVerdicts).toEqual([true, false, true]);
    expect(probe.cjsVerdicts).toEqual([true, false, true]);
    expect(probe.schemaTitle).toBe('TaskSyncedEvent');
    expect(probe.indexEvents['signals.task.synced']).toBe('TaskSyncedEvent.json');
  });
});
