/**
 * A least-recently-used map bounded by the total `size` of its entries (the byte length of the
 * records they stand for). Entries larger than the whole budget are not kept.
 */
export class RecordCache<E extends { readonly size: number }> {
  readonly #entries = new Map<string, E>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get(key: string): E | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      // Re-inserting moves the key to the end: Map iterates in insertion order, oldest first.
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: E): void {
    this.delete(key);
    if (entry.size > this.#maxBytes) return;
    this.#entries.set(key, entry);
    this.#bytes += entry.size;
    for (const [oldest, evicted] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= evicted.size;
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entry.size;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  /** Entries and the sum of their sizes (for tests and diagnostics). */
  get stats(): { entries: number; bytes: number } {
    return { entries: this.#entries.size, bytes: this.#bytes };
  }
}
