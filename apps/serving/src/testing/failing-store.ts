import type { StateStore } from '@oo/state';

/**
 * A store whose reads throw a plain Error: the test-only way to make a route fail with a bug-like
 * error (production stores only throw typed StateErrors).
 */
export function withBrokenReads(store: StateStore, message: string): StateStore {
  return {
    get backend() {
      return store.backend;
    },
    readUser: async () => {
      throw new Error(message);
    },
    updateUser: (userId, fn) => store.updateUser(userId, fn),
    deleteUser: (userId) => store.deleteUser(userId),
    listUsers: (options) => store.listUsers(options),
    readSync: (userId) => store.readSync(userId),
    updateSync: (userId, fn) => store.updateSync(userId, fn),
    readFigures: (name) => store.readFigures(name),
    writeFigures: (name, figures) => store.writeFigures(name, figures),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
