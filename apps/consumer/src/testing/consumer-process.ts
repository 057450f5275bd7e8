import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '@oo/state/testing';
import { type NodeProcess, spawnNode } from './node-process.js';

export const MAIN = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'dist/main.js');

export interface ConsumerProcess {
  readonly process: NodeProcess;
  /** The worker's own /health. */
  readonly healthUrl: string;
  /** event_ids the worker applied, in order, one entry per `task sync recorded` line. */
  applied(): string[];
  /** event_ids it skipped as already applied (`task sync skipped (duplicate)`). */
  duplicates(): string[];
}

/** Runs the built worker (dist/main.js) and resolves once its health endpoint listens. */
export async function startConsumer(env: Record<string, string>): Promise<ConsumerProcess> {
  const port = await findFreePort();
  const worker = spawnNode([MAIN], {
    env: { CONSUMER_PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
  });
  await worker.waitForLog('health endpoint listening');
  const eventIds = (msg: string) =>
    worker.lines.filter((line) => line.msg === msg).map((line) => String(line.event_id));
  return {
    process: worker,
    healthUrl: `http://127.0.0.1:${port}/health`,
    applied: () => eventIds('task sync recorded'),
    duplicates: () => eventIds('task sync skipped (duplicate)'),
  };
}
