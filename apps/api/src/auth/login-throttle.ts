import { AppError, ErrorCode } from "@costgate/core";
import type { Db } from "@costgate/db";

export interface ThrottleLimits {
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  windowSeconds: number;
}

/**
 * Slows down password guessing: after too many failed logins in the window, for one
 * account or from one address, further attempts answer RATE_LIMITED until the window
 * moves on. Attempts live in Postgres so every API process sees the same counts.
 */
export class LoginThrottle {
  constructor(private readonly db: Db, private readonly limits: ThrottleLimits) {}

  async assertAllowed(email: string, ip: string, now = new Date()): Promise<void> {
    const since = new Date(now.getTime() - this.limits.windowSeconds * 1000);
    const [byAccount, byAddress] = await Promise.all([
      this.db.loginAttempt.count({ where: { email, succeeded: false, createdAt: { gte: since } } }),
      this.db.loginAttempt.count({ where: { ip, succeeded: false, createdAt: { gte: since } } }),
    ]);
    if (byAccount >= this.limits.maxFailuresPerAccount || byAddress >= this.limits.maxFailuresPerAddress) {
      const minutes = Math.ceil(this.limits.windowSeconds / 60);
      throw new AppError(
        ErrorCode.RATE_LIMITED,
        `Too many failed logins ${byAccount >= this.limits.maxFailuresPerAccount ? "for this account" : "from this address"}; try again within ${minutes} minutes`,
        { retryAfterSeconds: this.limits.windowSeconds },
      );
    }
  }

  async record(email: string, ip: string, succeeded: boolean): Promise<void> {
    await this.db.loginAttempt.create({ data: { email, ip, succeeded } });
  }
}
