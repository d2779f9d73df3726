import { z } from "zod";
import { AppError, ErrorCode } from "@costgate/core";
import type { Db } from "@costgate/db";
import { dummyPasswordHash, verifyPassword } from "@costgate/secrets";
import type { SessionTokens } from "../../auth/session-token.ts";
import type { LoginThrottle } from "../../auth/login-throttle.ts";
import { validate } from "../validate.ts";
import { startSession } from "./sessions.ts";

const Input = z.object({
  email: z.string().trim().toLowerCase().min(1, "must not be empty").max(320),
  password: z.string().min(1, "must not be empty").max(256),
});

export interface LoginDeps {
  db: Db;
  sessions: SessionTokens;
  throttle: LoginThrottle;
}

/** Email + password → a signed, expiring session token. Failures are counted and throttled. */
export async function login(deps: LoginDeps, input: unknown, ip: string) {
  const { email, password } = validate(Input, input);
  const attempt = await deps.throttle.reserve(email, ip);
  const user = await deps.db.user.findUnique({ where: { email } });
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
  if (user && ok) await deps.throttle.succeeded(attempt);
  if (!user || !ok) throw new AppError(ErrorCode.UNAUTHENTICATED, "Email or password is wrong");
  if (user.deactivatedAt)
    throw new AppError(ErrorCode.UNAUTHENTICATED, "This account is deactivated: ask an admin to activate it again");
  await deps.db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  const { token, expiresAt } = await startSession(deps, user.id);
  return { token, expiresAt, user };
}
