type Waiter = { grant: () => void; timer: NodeJS.Timeout };

/** Releases a lock obtained from `KeyedMutex.acquire`; calling it twice is a no-op. */
export type Release = () => void;

/**
 * A FIFO async mutex per key. Operations on one key in one process queue here instead of
 * contending for the cross-process lock (file store) or the optimistic compare-and-set (Redis):
 * a process never fights itself, and waiting is bounded.
 */
export class KeyedMutex {
  // A key is present exactly while it is held; its array holds the waiters in arrival order.
  readonly #held = new Map<string, Waiter[]>();

  /**
   * Resolves with a release function once `key` is free. Rejects with `onTimeout()` when that
   * takes longer than `timeoutMs`; a waiter that timed out never obtains the lock.
   */
  acquire(key: string, timeoutMs: number, onTimeout: () => Error): Promise<Release> {
    const queue = this.#held.get(key);
    if (queue === undefined) {
      this.#held.set(key, []);
      return Promise.resolve(this.#releaser(key));
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(waiter.timer);
          resolve(this.#releaser(key));
        },
        timer: setTimeout(
          () => {
            const at = queue.indexOf(waiter);
            if (at !== -1) queue.splice(at, 1);
            reject(onTimeout());
          },
          Math.max(0, timeoutMs),
        ),
      };
      queue.push(waiter);
    });
  }

  /** Whether `key` is held right now (for tests and diagnostics). */
  isHeld(key: string): boolean {
    return this.#held.has(key);
  }

  #releaser(key: string): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const queue = this.#held.get(key);
      const next = queue?.shift();
      if (next === undefined) this.#held.delete(key);
      else next.grant();
    };
  }
}
