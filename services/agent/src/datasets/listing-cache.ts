export interface ListingCacheOptions {
  /** How long a listing is reused, counted from when its read began. */
  maxAgeMs: number;
  /** Most keys kept; adding one more drops the one read longest ago. */
  maxEntries: number;
  /** The clock (tests freeze it). */
  now?: () => number;
}

interface Entry<T> {
  readAt: number;
  value: Promise<T>;
}

/**
 * Remembers one listing per key for a short time. Concurrent callers share one read; a read that fails is
 * not kept. `invalidate` drops a key at once: a read already under way still answers the callers that
 * asked before, but is not reused by anyone after.
 */
export class ListingCache<K, T> {
  private readonly entries = new Map<K, Entry<T>>();
  private readonly now: () => number;

  constructor(private readonly options: ListingCacheOptions) {
    if (!(options.maxAgeMs >= 0)) throw new TypeError("listing cache maxAgeMs must be ≥ 0");
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1)
      throw new TypeError("listing cache maxEntries must be a whole number ≥ 1");
    this.now = options.now ?? Date.now;
  }

  get(key: K, read: () => Promise<T>): Promise<T> {
    const now = this.now();
    const found = this.entries.get(key);
    if (found && now - found.readAt < this.options.maxAgeMs) return found.value;
    this.entries.delete(key);
    const entry: Entry<T> = { readAt: now, value: read() };
    this.entries.set(key, entry);
    if (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as K;
      this.entries.delete(oldest);
    }
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.value;
  }

  invalidate(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
