import { AppError, ErrorCode } from "@costgate/core";
import type { Db } from "@costgate/db";

export interface ThrottleLimits {
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  windowSeconds: number;
}

/** Advisory-lock namespaces (first key of pg_advisory_xact_lock(int, int)). */
const ACCOUNT_LOCK = 0x4c4f4731; // "LOG1"
const ADDRESS_LOCK = 0x4c4f4732; // "LOG2"

/**
 * Slows down password guessing: after too many failed logins in the window, for one
 * account or from one address, further attempts answer RATE_LIMITED until the window
 * moves on. Attempts live in Postgres so every API process sees the same counts.
 *
 * Counting is atomic: `reserve` takes a transaction-scoped lock on the account and on the
 * address, counts, and records the attempt as failed before the password is even checked;
 * `succeeded` marks it afterwards. 50 parallel guesses therefore get at most
 * maxFailuresPerAccount tries, not as many as pass the count before the first is recorded.
 * The locks are tried, not waited for: an attempt that finds another one of the same account
 * or address being counted is RATE_LIMITED at once, so a flood of guesses never holds the
 * connection pool waiting in line.
 */
export class LoginThrottle {
  constructor(
    private readonly db: Db,
    private readonly limits: ThrottleLimits,
  ) {}

  /** Refuses with RATE_LIMITED, or records a (for now failed) attempt and returns its id. */
  async reserve(email: string, ip: string, now = new Date()): Promise<string> {
    const since = new Date(now.getTime() - this.limits.windowSeconds * 1000);
    return this.db.$transaction(
      async (tx) => {
        const [lock] = await tx.$queryRaw<{ account: boolean; address: boolean }[]>`
        SELECT pg_try_advisory_xact_lock(${ACCOUNT_LOCK}::int, hashtext(${email})) AS account,
               pg_try_advisory_xact_lock(${ADDRESS_LOCK}::int, hashtext(${ip})) AS address`;
        if (!lock?.account || !lock.address) {
          throw new AppError(
            ErrorCode.RATE_LIMITED,
            `Another login ${lock?.account ? "from this address" : "for this account"} is being checked; try again in a moment`,
            { retryAfterSeconds: 1 },
          );
        }
        const [byAccount, byAddress] = await Promise.all([
          tx.loginAttempt.count({ where: { email, succeeded: false, createdAt: { gte: since } } }),
          tx.loginAttempt.count({ where: { ip, succeeded: false, createdAt: { gte: since } } }),
        ]);
        if (byAccount >= this.limits.maxFailuresPerAccount || byAddress >= this.limits.maxFailuresPerAddress) {
          const minutes = Math.ceil(this.limits.windowSeconds / 60);
          throw new AppError(
            ErrorCode.RATE_LIMITED,
            `Too many failed logins ${byAccount >= this.limits.maxFailuresPerAccount ? "for this account" : "from this address"}; try again within ${minutes} minutes`,
            { retryAfterSeconds: this.limits.windowSeconds },
          );
        }
        const attempt = await tx.loginAttempt.create({ data: { email, ip, succeeded: false, createdAt: now } });
        return attempt.id;
      },
      { maxWait: 5_000, timeout: 5_000 },
    );
  }

  /** Marks a reserved attempt as succeeded (a failure stays as reserved). */
  async succeeded(attemptId: string): Promise<void> {
    await this.db.loginAttempt.update({ where: { id: attemptId }, data: { succeeded: true } });
  }
}
