import { join, relative, resolve, sep } from 'node:path';
import type { RecordKind } from '../errors.js';
import { assertUserId } from '../user-id.js';
import { recordDirName } from './record-dir-name.js';

// STATE_DIR/
//   users/<recordDirName(userId)>/{state.json, sync.json, lock}
//   figures/<recordDirName(name)>/{figures.json, lock}
// One directory per owner keeps every record of a user apart from every other user's (`a_sync`
// is a directory of its own, never `a`'s sync record) and makes deleting a user one directory.

export const RECORD_FILE: Readonly<Record<RecordKind, string>> = {
  state: 'state.json',
  sync: 'sync.json',
  figures: 'figures.json',
};

export class StoreLayout {
  readonly root: string;

  constructor(dir: string) {
    this.root = resolve(dir);
  }

  /** The directory of a user's records; validates the id (before any I/O) and the resulting path. */
  userDir(userId: string): string {
    assertUserId(userId);
    return this.#inside(join(this.root, 'users', recordDirName(userId)));
  }

  /** The directory that holds one directory per user. */
  usersDir(): string {
    return join(this.root, 'users');
  }

  /** The directory of a deployment-level figures record. */
  figuresDir(name: string): string {
    assertUserId(name, 'figures name');
    return this.#inside(join(this.root, 'figures', recordDirName(name)));
  }

  // Defence in depth: the encoding cannot produce path syntax, and this proves it for every call.
  #inside(path: string): string {
    const rel = relative(this.root, path);
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || resolve(this.root, rel) !== path) {
      throw new Error(`state path ${path} escapes ${this.root}`);
    }
    return path;
  }
}
