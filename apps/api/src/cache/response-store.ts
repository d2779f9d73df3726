interface Entry<V> {
  value: V;
  bytes: number;
  /** ms since the epoch from which the entry is not served. */
  until: number;
}

/**
 * Until when an answer cached at `now` is served: between (1 − `spread`) × `ttlMs` and `ttlMs`,
 * at random. Sessions that start together (a dashboard opened by a team at 9:00, a load test)
 * cache their answers together; were they all to expire together, their queries would all run
 * again in the same instant and queue behind each other (the API's slowest requests). Spread, they
 * run a few at a time. Never more than `ttlMs`: that is the promise to the caller.
 */
export const cacheDeadline = (now: number, ttlMs: number, spread: number, random: () => number = Math.random): number =>
  now + ttlMs * (1 - spread * random());

/**
 * Answers kept in this process's memory, each until its deadline, at most `maxBytes` in all
 * (sizes as the caller measures them): past it, the oldest go first, and expired ones met on the
 * way (a Map iterates in insertion order; deadlines vary, so an expired entry may wait behind a
 * live one until it is asked for or its turn comes).
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
