import { hash, verify } from "@node-rs/argon2";
import { badInput } from "./errors.ts";

/** argon2id with the library's defaults (m=19 MiB, t=2), as OWASP recommends. */
export const hashPassword = (password: string): Promise<string> => hash(password);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the account does not exist, so timing does not reveal it. */
let dummyHash: Promise<string> | undefined;
export const dummyPasswordHash = (): Promise<string> => (dummyHash ??= hash("costgate-no-such-user-password"));

export function assertPasswordStrength(password: string): void {
  if (password.length < 12) throw badInput("password must be at least 12 characters", { field: "password" });
  if (password.length > 256) throw badInput("password must be at most 256 characters", { field: "password" });
}
