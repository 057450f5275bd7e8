// State size and memory (issue 7): bytes per user with 100,000 users' state in each backend, the
// service's resident memory before and after every one of them was scored once, and start-up time
// with that much state present.
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { createBackend } from './backends.js';
import type { BenchOptions } from './bench-options.js';
import { log } from './log.js';
import { DEFAULT_MIX, Mix } from './mix.js';
import { startService } from './processes.js';
import { seedUsers } from './seed.js';

export interface StateRow {
  server: string;
  workers: number;
  users: number;
  seedSeconds: number;
  /** JSON bytes of the records, per user. */
  recordBytesPerUser: number;
  /** What the backend spends per user: disk blocks (file) or Redis memory (redis). */
  occupiedBytesPerUser: number;
  startupMs: number;
  rssIdleBytes: number;
  rssAfterBytes: number;
  /** Resident memory of redis-server with every user loaded; 0 for the file store. */
  backendRssBytes: number;
  touchSeconds: number;
  touchErrors: number;
}

/** Fills `rows` as it goes and calls `progress` after each backend. */
export async function runStateSuite(
  options: BenchOptions,
  rows: StateRow[] = [],
  progress: () => Promise<void> = async () => {},
): Promise<StateRow[]> {
  const workers = Math.max(...options.workers);
  const mix = new Mix({ ...DEFAULT_MIX, users: options.stateUsers, userPrefix: 'state-user-' });
  for (const name of options.backends) {
    const backend = await createBackend(name, options.scratch);
    try {
      await backend.reset();
      log(`${name}: seeding ${options.stateUsers} users`);
      const seeder = backend.openStore();
      const seedStarted = performance.now();
      await seedUsers(seeder, options.stateUsers, (i) => mix.userId(i), 64).finally(() => seeder.close());
      const seedSeconds = (performance.now() - seedStarted) / 1000;
      const footprint = await backend.footprint();
      const service = await startService({
        env: { ...backend.env(), ...options.serviceEnv, WEB_CONCURRENCY: String(workers) },
        logFile: join(options.scratch, `state-${name}.log`),
      });
      try {
        const rssIdleBytes = service.rss();
        const touchStarted = performance.now();
        const touchErrors = await scoreEveryUser(service.url, mix, options.stateUsers, 32);
        const touchSeconds = (performance.now() - touchStarted) / 1000;
        const row: StateRow = {
          server: name,
          workers,
          users: options.stateUsers,
          seedSeconds,
          recordBytesPerUser: footprint.recordBytes / options.stateUsers,
          occupiedBytesPerUser: footprint.occupiedBytes / options.stateUsers,
          startupMs: service.startupMs,
          rssIdleBytes,
          rssAfterBytes: service.rss(),
          backendRssBytes: await backend.serverRss(),
          touchSeconds,
          touchErrors,
        };
        log(
          `  ${name}: ${row.recordBytesPerUser.toFixed(0)} B/user of records, ${row.occupiedBytesPerUser.toFixed(0)} B/user occupied, ` +
            `RSS ${(row.rssIdleBytes / 2 ** 20).toFixed(0)} → ${(row.rssAfterBytes / 2 ** 20).toFixed(0)} MiB, ` +
            `start-up ${row.startupMs.toFixed(0)} ms, ${touchErrors} errors`,
        );
        rows.push(row);
        await progress();
      } finally {
        await service.stop();
      }
    } finally {
      await backend.close();
    }
  }
  return rows;
}

/** One score request per user, `concurrency` at a time; resolves to the number of failures. */
async function scoreEveryUser(url: string, mix: Mix, users: number, concurrency: number): Promise<number> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  let failures = 0;
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const req = mix.score(mix.userId(i));
      const outgoing = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: req.path,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(req.body) },
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            if (response.statusCode !== 200) failures++;
            resolve();
          });
        },
      );
      outgoing.on('error', () => {
        failures++;
        resolve();
      });
      outgoing.end(req.body);
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < users) await one(next++);
    }),
  );
  agent.destroy();
  return failures;
}
