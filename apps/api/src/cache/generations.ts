import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * A scope's generation lives this long after its last change. It must outlast any cached answer
 * (RESPONSE_CACHE_SECONDS is at most 60): once expired it reads as "never changed" again, and
 * only answers older than this were cached under that.
 */
const KEEP_MS = 10 * 60_000;

/**
 * The generations of cache scopes (src/cache/cache-scopes.ts), in Redis so that every API process
 * reads the same: a mutation through one process changes them before its response is sent, and
 * the caller's next query, whichever process serves it, reads the new ones.
 */
export class Generations {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** The current generations of `scopes`, as one string (a part of a cache key). Rejects when Redis does not answer. */
  async read(scopes: string[]): Promise<string> {
    const values = await this.redis.mget(...scopes.map((s) => this.key(s)));
    return values.map((v) => v ?? "-").join(",");
  }

  /** New, never used generations for `scopes`. Rejects when Redis did not take them. */
  async bump(scopes: string[]): Promise<void> {
    const multi = this.redis.multi();
    for (const scope of scopes) multi.set(this.key(scope), randomUUID(), "PX", KEEP_MS);
    const results = await multi.exec();
    const failed = results?.find(([err]) => err)?.[0] ?? (results ? null : new Error("transaction aborted"));
    if (failed) throw failed;
  }

  private key(scope: string): string {
    return `${this.prefix}:response-cache:${scope}`;
  }
}
