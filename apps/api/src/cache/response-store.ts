interface Entry<V> {
  value: V;
  bytes: number;
  /** ms since the epoch from which the entry is not served. */
  until: number;
}

/**
 * Answers kept in this process's memory, each until its deadline, at most `maxBytes` in all
 * (sizes as the caller measures them): past it, the oldest go first. A Map iterates in insertion
 * order and every entry lives as long, so the oldest are also the first to expire.
 */
export class ResponseStore<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string, now = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > now) return entry.value;
    this.delete(key, entry);
    return undefined;
  }

  set(key: string, value: V, bytes: number, until: number, now = Date.now()): void {
    if (until <= now || bytes > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) this.delete(key, old);
    this.entries.set(key, { value, bytes, until });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes && entry.until > now) break;
      this.delete(oldest, entry);
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(key: string, entry: Entry<V>): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}
