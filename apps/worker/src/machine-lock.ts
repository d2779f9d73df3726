import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * The machine's measurement lock, shared by every worker process on one host through Redis:
 * a readers-writer lock where TensorFlow computations (training, evaluation, pruning) are
 * readers and a cost measurement is the writer. Never two measurements at once on a host, and
 * nothing else computes while one runs. A writer that waits stops new readers from entering;
 * readers already in are asked (onPreempt) to pause at their next batch and release.
 *
 * Keys (under the queue prefix, so test runs stay apart): `<base>:measure` holds the writer's
 * token with an expiry; `<base>:compute` is a sorted set of reader tokens scored by their
 * expiry. Holders renew every `ttlMs / 3`; a process that dies (even by kill -9) loses its
 * hold after `ttlMs`.
 */

const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: writer, readers; ARGV: token, ttlMs. 1 when entered, 0 while a writer holds or waits. */
const ENTER_SHARED = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]) * 2)
return 1`;

/** Renews a reader; 1 when a writer waits (the reader should pause and leave). */
const RENEW_SHARED = `${NOW}
redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]) * 2)
return redis.call('EXISTS', KEYS[1])`;

/** KEYS: writer, readers; ARGV: token. Readers still inside (expired ones dropped). */
const READERS_LEFT = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
return redis.call('ZCARD', KEYS[2])`;

/** KEYS: writer; ARGV: token, ttlMs. Renews (1) or says the hold was lost (0). */
const RENEW_WRITER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE_WRITER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface SharedHooks {
  /** Said while the computation waits for a measurement to end. */
  onWait?: (why: string) => void;
  /** A measurement wants the machine: resolve once the computation is paused. */
  onPreempt: () => Promise<void>;
  /** The measurement ended: continue the paused computation. */
  onResume: () => void;
}

export interface MachineLockOptions {
  ttlMs?: number;
  pollMs?: number;
  /**
   * Told how long each entry waited: a measurement until it ran alone, a computation until no
   * measurement held or waited (also after each pause a measurement asked for).
   */
  onWaited?: (kind: "measurement" | "computation", seconds: number) => void;
  /** Told when a measurement that held the machine alone ends: from and to (epoch ms), before the lock is released. */
  onMeasured?: (fromMs: number, toMs: number) => void;
}

export class MachineLock {
  private readonly writerKey: string;
  private readonly readersKey: string;
  private readonly ttlMs: number;
  private readonly pollMs: number;
  private readonly onWaited: NonNullable<MachineLockOptions["onWaited"]>;
  private readonly onMeasured: NonNullable<MachineLockOptions["onMeasured"]>;

  constructor(
    private readonly redis: Redis,
    base: string,
    opts: MachineLockOptions = {},
  ) {
    this.writerKey = `${base}:measure`;
    this.readersKey = `${base}:compute`;
    this.ttlMs = opts.ttlMs ?? 10_000;
    this.pollMs = opts.pollMs ?? 200;
    this.onWaited = opts.onWaited ?? (() => undefined);
    this.onMeasured = opts.onMeasured ?? (() => undefined);
  }

  /** Runs `fn` as a reader: after any measurement, pausing (via the hooks) whenever one wants the machine. */
  async shared<T>(hooks: SharedHooks, fn: () => Promise<T>): Promise<T> {
    const token = randomUUID();
    const done = { value: false };
    await this.enterShared(token, hooks, done);
    const watcher = this.watchShared(token, hooks, done);
    try {
      return await fn();
    } finally {
      done.value = true;
      await watcher;
      await this.redis.zrem(this.readersKey, token);
    }
  }

  /** Runs `fn` alone on the machine: no other measurement, no reader computing meanwhile. */
  async exclusive<T>(onWait: (why: string) => void, fn: () => Promise<T>): Promise<T> {
    const token = randomUUID();
    const started = performance.now();
    let said = false;
    while ((await this.redis.set(this.writerKey, token, "PX", this.ttlMs, "NX")) !== "OK") {
      if (!said) onWait("Waiting: another cost measurement is running on this machine");
      said = true;
      await sleep(this.pollMs);
    }
    const renew = setInterval(
      () => void this.redis.eval(RENEW_WRITER, 1, this.writerKey, token, this.ttlMs).catch(() => undefined),
      Math.floor(this.ttlMs / 3),
    );
    try {
      said = false;
      while (Number(await this.redis.eval(READERS_LEFT, 2, this.writerKey, this.readersKey, token)) > 0) {
        if (!said) onWait("Waiting for training and evaluation on this machine to pause for the cost measurement");
        said = true;
        await sleep(this.pollMs);
      }
      this.onWaited("measurement", (performance.now() - started) / 1000);
      const from = Date.now();
      try {
        return await fn();
      } finally {
        this.onMeasured(from, Date.now());
      }
    } finally {
      clearInterval(renew);
      await this.redis.eval(RELEASE_WRITER, 1, this.writerKey, token).catch(() => undefined);
    }
  }

  private async enterShared(token: string, hooks: SharedHooks, done: { value: boolean }): Promise<void> {
    const started = performance.now();
    let said = false;
    while (
      !done.value &&
      Number(await this.redis.eval(ENTER_SHARED, 2, this.writerKey, this.readersKey, token, this.ttlMs)) !== 1
    ) {
      if (!said) hooks.onWait?.("Paused: a cost measurement is running on this machine");
      said = true;
      await sleep(this.pollMs);
    }
    this.onWaited("computation", (performance.now() - started) / 1000);
  }

  private async watchShared(token: string, hooks: SharedHooks, done: { value: boolean }): Promise<void> {
    while (!done.value) {
      await sleep(this.pollMs);
      if (done.value) return;
      const writerWaits =
        Number(
          await this.redis.eval(RENEW_SHARED, 2, this.writerKey, this.readersKey, token, this.ttlMs).catch(() => 0),
        ) === 1;
      if (!writerWaits) continue;
      await hooks.onPreempt();
      await this.redis.zrem(this.readersKey, token);
      await this.enterShared(token, hooks, done);
      hooks.onResume();
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
