/**
 * How long a replica keeps a configuration row it read (sampling and QA policies, drift
 * configs): a change written through any replica is used by every replica within this time.
 */
export const CONFIG_CACHE_TTL_MS = 5000;

/**
 * Values read from PostgreSQL, kept for a fixed time per key. Replicas share the database but
 * not this memory, so an entry must expire rather than live until a restart; the replica that
 * writes a value deletes its own entry at once.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { at: number; value: V }>();

  constructor(
    private readonly ttlMs = CONFIG_CACHE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached value of `key`, or `load()`'s (then cached) when absent or expired. */
  async get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    const value = await load();
    this.entries.set(key, { at: this.now(), value });
    return value;
  }

  /** Forgets `key` (after this replica changed it). */
  delete(key: string): void {
    this.entries.delete(key);
  }
}
