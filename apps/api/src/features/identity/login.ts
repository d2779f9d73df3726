import { z } from "zod";
import { AppError, ErrorCode } from "@costgate/core";
import type { Db } from "@costgate/db";
import { dummyPasswordHash, verifyPassword } from "@costgate/secrets";
import type { SessionTokens } from "../../auth/session-token.ts";
import type { LoginThrottle } from "../../auth/login-throttle.ts";
import { validate } from "../validate.ts";

const Input = z.object({ email: z.string().trim().toLowerCase().min(1, "must not be empty").max(320), password: z.string().min(1, "must not be empty").max(256) });

export interface LoginDeps {
  db: Db;
  sessions: SessionTokens;
  throttle: LoginThrottle;
}

/** Email + password → a signed, expiring session token. Failures are counted and throttled. */
export async function login(deps: LoginDeps, input: unknown, ip: string) {
  const { email, password } = validate(Input, input);
  await deps.throttle.assertAllowed(email, ip);
  const user = await deps.db.user.findUnique({ where: { email } });
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
  await deps.throttle.record(email, ip, ok && !!user);
  if (!user || !ok) throw new AppError(ErrorCode.UNAUTHENTICATED, "Email or password is wrong");
  await deps.db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  const { token, expiresAt } = await deps.sessions.issue(user.id);
  return { token, expiresAt, user };
}
