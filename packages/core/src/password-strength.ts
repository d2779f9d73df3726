import { badInput } from "./errors.ts";

/** What a new password must be; hashing is @costgate/secrets' (native argon2, server only). */
export function assertPasswordStrength(password: string): void {
  if (password.length < 12) throw badInput("password must be at least 12 characters", { field: "password" });
  if (password.length > 256) throw badInput("password must be at most 256 characters", { field: "password" });
}
