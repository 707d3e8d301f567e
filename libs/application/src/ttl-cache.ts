/**
 * A small bounded cache of recent answers, for metadata that may change outside Riffle (topic lists,
 * topic configs, a subject's latest version): each entry lives `ttlMs`, the oldest entries go first
 * beyond `maxEntries`, and concurrent loads of one key share a single request. A failed load is not
 * kept. `ttlMs` 0 disables it (every `get` loads).
 */
export class TtlCache<T> {
  private readonly entries = new Map<string, { value: Promise<T>; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    if (this.ttlMs <= 0) return load();
    const found = this.entries.get(key);
    const now = this.now();
    if (found && found.expires > now) return found.value;
    const value = load();
    this.entries.delete(key);
    this.entries.set(key, { value, expires: now + this.ttlMs });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** every key starting with `prefix` (all of them without one) */
  clear(prefix = ''): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}
