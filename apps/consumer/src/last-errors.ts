/**
 * The last failure of each message this process nak'd, keyed by `<stream>:<seq>`, so a dead letter
 * written later (by the max-deliveries advisory path) still says why. Bounded: the oldest entries
 * go first.
 */
export class LastErrors {
  readonly #errors = new Map<string, string>();

  constructor(readonly capacity = 10_000) {}

  set(stream: string, seq: number, error: string): void {
    const key = `${stream}:${seq}`;
    this.#errors.delete(key);
    this.#errors.set(key, error);
    if (this.#errors.size > this.capacity) {
      const oldest = this.#errors.keys().next().value;
      if (oldest !== undefined) this.#errors.delete(oldest);
    }
  }

  get(stream: string, seq: number): string | undefined {
    return this.#errors.get(`${stream}:${seq}`);
  }

  delete(stream: string, seq: number): void {
    this.#errors.delete(`${stream}:${seq}`);
  }
}
