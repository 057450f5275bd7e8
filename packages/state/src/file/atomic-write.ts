import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

const TEMP_SUFFIX = /\.\d+-[0-9a-f]{8}\.tmp$/;

/** Whether `name` is a temporary file left by `writeFileAtomic` (e.g. by a process killed mid-write). */
export function isTempFileName(name: string): boolean {
  return TEMP_SUFFIX.test(name);
}

/**
 * Replaces `dir/name` with `data` so that a reader, or a crash at any instant, sees either the old
 * or the new content in full: the data goes to a unique temp file in the same directory (same
 * filesystem, so the rename is atomic, POSIX rename(2)) and is renamed over the target.
 * With `durable`, the temp file is fsynced before the rename and the directory after it, so the
 * new content also survives power loss (ext4/xfs: the rename alone does not order the data).
 */
export async function writeFileAtomic(
  dir: string,
  name: string,
  data: string,
  durable: boolean,
): Promise<void> {
  const temp = join(dir, `${name}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let renamed = false;
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(data, 'utf8');
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, join(dir, name));
    renamed = true;
  } finally {
    if (!renamed) await unlink(temp).catch(() => {});
  }
  if (durable) await syncDirectory(dir);
}

/** fsync(2) on a directory, which makes the entries created or renamed in it durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
