import { z } from "zod";
import { assertPasswordStrength, badInput, notFound, type Principal } from "@costgate/core";
import { hashPassword, verifyPassword } from "@costgate/secrets";
import type { Db } from "@costgate/db";
import { writeAudit } from "@costgate/services";
import type { SessionTokens } from "../../auth/session-token.ts";
import { validate } from "../validate.ts";

/** A Session row and the signed token that names it. */
export async function startSession(deps: { db: Db; sessions: SessionTokens }, userId: string) {
  const now = new Date();
  const session = await deps.db.session.create({ data: { userId, expiresAt: deps.sessions.expiresAt(now) } });
  return deps.sessions.issue(userId, session.id, now);
}

function sessionOf(principal: Principal): string {
  if (principal.kind !== "user" || !principal.sessionId)
    throw badInput("Only a session token can end its session; revoke an API key with revokeApiKey");
  return principal.sessionId;
}

/** Ends the caller's session: its token is refused from then on. */
export async function logout(db: Db, principal: Principal): Promise<boolean> {
  const sessionId = sessionOf(principal);
  await db.$transaction(async (tx) => {
    await tx.session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
    await writeAudit(tx, {
      actor: principal.actor,
      action: "user.logout",
      entityType: "User",
      entityId: principal.id,
      teamId: principal.teamId,
      after: { sessionId },
    });
  });
  return true;
}

/** ADMIN: every session of the user ends. */
export async function revokeUserSessions(db: Db, principal: Principal, userId: string): Promise<boolean> {
  const user = await db.user.findUnique({ where: { id: userId } });
  if (!user) throw notFound("User", userId);
  await db.$transaction(async (tx) => {
    const { count } = await tx.session.updateMany({
      where: { userId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    await writeAudit(tx, {
      actor: principal.actor,
      action: "user.revokeSessions",
      entityType: "User",
      entityId: userId,
      teamId: user.teamId,
      after: { sessionsEnded: count },
    });
  });
  return true;
}

const PasswordChange = z.object({ currentPassword: z.string().max(256), newPassword: z.string() });

/** The caller's own password; every other session of the user ends, this one stays. */
export async function changePassword(db: Db, principal: Principal, input: unknown): Promise<boolean> {
  const sessionId = sessionOf(principal);
  const { currentPassword, newPassword } = validate(PasswordChange, input);
  const user = await db.user.findUniqueOrThrow({ where: { id: principal.id } });
  if (!(await verifyPassword(user.passwordHash, currentPassword)))
    throw badInput("currentPassword is not your current password", { field: "currentPassword" });
  try {
    assertPasswordStrength(newPassword);
  } catch (e) {
    throw badInput(`newPassword: ${(e as Error).message.replace(/^password /, "")}`, { field: "newPassword" });
  }
  const passwordHash = await hashPassword(newPassword);
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    const { count } = await tx.session.updateMany({
      where: { userId: user.id, revokedAt: null, id: { not: sessionId } },
      data: { revokedAt: new Date() },
    });
    await writeAudit(tx, {
      actor: principal.actor,
      action: "user.changePassword",
      entityType: "User",
      entityId: user.id,
      teamId: user.teamId,
      after: { otherSessionsEnded: count },
    });
  });
  return true;
}
