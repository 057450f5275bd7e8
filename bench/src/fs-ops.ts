// `pnpm --filter @oo/bench fs-ops -- [dir …]`: what the file store's system calls cost on the
// filesystems given (default: the OS temp dir, usually the disk, and /dev/shm, a tmpfs), in the
// order one `updateUser` makes them. It separates what the disk's filesystem charges for an update
// from what the service's own code costs (docs/benchmarks.md, "Where a request's time goes").
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROUNDS = 2_000;
// Updates spread over this many user directories, as the mix spreads them over its users.
const USERS = 50;
// A state record of the mix: three policies and a full 100-decision log.
const RECORD = Buffer.alloc(35_000, 0x61);
const SMALL_RECORDS = [Buffer.alloc(3_000, 0x61), Buffer.alloc(300, 0x61)];

/**
 * Wall time and this process's CPU time (user + kernel) per round. The CPU time is what the
 * service pays on a busy machine, where waiting for the disk overlaps other requests' work.
 */
function measure(label: string, round: (i: number) => void): string {
  for (let i = 0; i < 100; i++) round(i); // warm-up
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < ROUNDS; i++) round(i);
  const wall = Number(process.hrtime.bigint() - started) / 1e3 / ROUNDS;
  const used = process.cpuUsage(cpu);
  return `| ${label} | ${wall.toFixed(1)} | ${((used.user + used.system) / ROUNDS).toFixed(1)} |`;
}

/** Creates a temporary file, writes `bytes`, closes it and renames it over the record. */
function replaceRecord(dir: string, bytes: Buffer): void {
  const temp = join(dir, 'state.json.tmp');
  const fd = openSync(temp, 'wx', 0o600);
  writeSync(fd, bytes);
  closeSync(fd);
  renameSync(temp, join(dir, 'state.json'));
}

function measureDir(root: string): string[] {
  const base = mkdtempSync(join(root, 'oo-fs-ops-'));
  try {
    const dirs = Array.from({ length: USERS }, (_, i) => join(base, `u${i}`));
    for (const dir of dirs) {
      mkdirSync(dir);
      const fd = openSync(join(dir, 'state.json'), 'w');
      writeSync(fd, RECORD);
      closeSync(fd);
    }
    const dir = (i: number) => dirs[i % USERS]!;
    return [
      measure('lock: symlink + unlink (short target, as the store takes it)', (i) => {
        const lock = join(dir(i), 'lock');
        symlinkSync('1234:1:0a1b2c3d:4e5f6a7b:0123456789abcdef', lock);
        unlinkSync(lock);
      }),
      measure('read 35 kB record', (i) => {
        readFileSync(join(dir(i), 'state.json'));
      }),
      measure('write 35 kB: create temp, write, close, rename over the record', (i) =>
        replaceRecord(dir(i), RECORD),
      ),
      // The same protocol for the smallest record a write could be (one decision, a counter):
      // what the rename costs does not shrink with the record.
      measure('write 3 kB the same way', (i) => replaceRecord(dir(i), SMALL_RECORDS[0]!)),
      measure('write 300 B the same way', (i) => replaceRecord(dir(i), SMALL_RECORDS[1]!)),
      measure('for comparison: overwrite 35 kB in place (not crash-atomic)', (i) => {
        const fd = openSync(join(dir(i), 'state.json'), 'r+');
        writeSync(fd, RECORD, 0, RECORD.length, 0);
        closeSync(fd);
      }),
    ];
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

const roots = process.argv.slice(2).filter((arg) => arg !== '--');
for (const root of roots.length > 0 ? roots : [tmpdir(), '/dev/shm']) {
  process.stdout.write(
    `\n${root} (${ROUNDS} rounds over ${USERS} directories)\n\n| operation | wall µs | CPU µs |\n| --- | --- | --- |\n${measureDir(root).join('\n')}\n`,
  );
}
