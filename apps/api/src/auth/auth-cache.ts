import type { Principal } from "@costgate/core";
import type { Redis } from "ioredis";

interface Entry {
  principal: Principal;
  /** ms since the epoch after which the entry is not used. */
  until: number;
}

export interface AuthCacheOptions {
  /** How long a verified token is trusted without looking it up again; 0 turns the cache off. */
  ttlMs: number;
  /** Redis channel every API process of the deployment listens on for revocations. */
  channel: string;
  maxEntries?: number;
  onError?: (err: Error) => void;
}

/**
 * Verified tokens (session tokens and API keys) for a few seconds, so a client's requests do not
 * each verify a signature and read the session and user (or key) rows.
 *
 * Revocation stays immediate, in every API process: whatever ends a session or a key (logout,
 * revokeUserSessions, changePassword, revokeApiKey) calls revoked(), which empties this
 * process's cache and publishes on a Redis channel that every API process listens to and empties
 * its own on. A process whose subscription is not up (Redis unreachable, reconnecting) uses no
 * cache at all, and empties it when the subscription is back, so no revocation it might have
 * missed meanwhile is served from it. Past `ttlMs`, an entry is looked up again anyway (a row
 * changed without revoked(), e.g. by hand in SQL, holds at most that long).
 */
export class AuthCache {
  private readonly entries = new Map<string, Entry>();
  private subscribed = false;
  /**
   * Counts the times the cache was emptied. A lookup that started before a revocation and ends
   * after it must not cache what it read: it passes the generation it started in to set().
   */
  private cleared = 0;
  private readonly maxEntries: number;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis | null,
    private readonly opts: AuthCacheOptions,
  ) {
    this.maxEntries = opts.maxEntries ?? 10_000;
    if (!subscriber || opts.ttlMs <= 0) return;
    subscriber.on("message", (channel: string) => {
      if (channel === opts.channel) this.clear();
    });
    // (Re)subscribed: whatever was published while the subscription was down is unknown here.
    subscriber.on("ready", () => {
      this.clear();
      subscriber.subscribe(opts.channel).then(
        () => {
          this.clear();
          this.subscribed = subscriber.status === "ready";
        },
        (err: Error) => opts.onError?.(err),
      );
    });
    for (const event of ["close", "reconnecting", "end", "error"] as const)
      subscriber.on(event, () => {
        this.subscribed = false;
        this.clear();
      });
  }

  /** Whether tokens are cached right now (on, and listening for revocations). */
  get active(): boolean {
    return this.opts.ttlMs > 0 && this.subscribed && this.subscriber?.status === "ready";
  }

  /** Pass it to set() when the lookup ends. */
  get generation(): number {
    return this.cleared;
  }

  get(token: string, now = Date.now()): Principal | undefined {
    if (!this.active) return undefined;
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.until > now) return entry.principal;
    this.entries.delete(token);
    return undefined;
  }

  /**
   * Trusts the principal of `token` for ttlMs, never past `expiresAt` (the token's or the key's
   * own end); not at all when the cache was emptied since `generation` (the lookup may have read
   * a row from before a revocation).
   */
  set(token: string, principal: Principal, expiresAt: Date | null, generation: number, now = Date.now()): void {
    if (!this.active || generation !== this.cleared) return;
    if (this.entries.size >= this.maxEntries) {
      // The oldest entries first (a Map iterates in insertion order).
      for (const key of this.entries.keys()) {
        this.entries.delete(key);
        if (this.entries.size < this.maxEntries * 0.9) break;
      }
    }
    this.entries.set(token, { principal, until: Math.min(now + this.opts.ttlMs, expiresAt?.getTime() ?? Infinity) });
  }

  /**
   * A session or key was ended: forget every cached token here, and in every other API process.
   * Resolves once Redis has taken the message (or failed to, which is logged: the other
   * processes then use their cache for at most ttlMs, unless their own subscription dropped).
   */
  async revoked(): Promise<void> {
    this.clear();
    if (this.opts.ttlMs <= 0) return;
    await this.publisher.publish(this.opts.channel, "revoked").catch((err: Error) => this.opts.onError?.(err));
  }

  close(): void {
    this.clear();
    this.subscriber?.disconnect();
  }

  private clear(): void {
    this.cleared++;
    this.entries.clear();
  }
}
