import { z } from "zod";
import {
  AppError,
  ErrorCode,
  Roles,
  assertTeamAccess,
  assertVisible,
  badInput,
  notFound,
  type Principal,
  type Role,
} from "@costgate/core";
import type { Db } from "@costgate/db";
import { generateApiKey } from "../../auth/api-keys.ts";
import { writeAudit } from "@costgate/services";
import { validate } from "../validate.ts";

const Input = z.object({
  name: z.string().trim().min(1, "must not be empty").max(100),
  role: z.enum(Roles),
  teamId: z.string().min(1).nullish(),
  expiresAt: z.date().nullish(),
});

/** A key never outlives the key that creates it: no expiresAt inherits the parent's, a later one is refused. */
function expiryOf(principal: Principal, requested: Date | null | undefined, now: Date): Date | null {
  if (requested && requested <= now)
    throw badInput(`expiresAt must be in the future (it is ${requested.toISOString()})`, { field: "expiresAt" });
  const parent = principal.kind === "apikey" ? (principal.expiresAt ?? null) : null;
  if (!parent) return requested ?? null;
  if (requested && requested > parent) {
    throw badInput(
      `expiresAt: a key cannot outlive the key that creates it (that one expires at ${parent.toISOString()})`,
      { field: "expiresAt" },
    );
  }
  return requested ?? parent;
}

/** A non-admin may only mint keys for their own team, with their own role or VIEWER. */
function assertMayGrant(principal: Principal, role: Role): void {
  if (principal.role === "ADMIN") return;
  if (role !== principal.role && role !== "VIEWER") {
    throw new AppError(
      ErrorCode.FORBIDDEN,
      `A ${principal.role} may create keys with role ${principal.role} or VIEWER, not ${role}`,
    );
  }
}

export async function createApiKey(db: Db, principal: Principal, input: unknown) {
  const data = validate(Input, input);
  const teamId = data.teamId ?? (principal.role === "ADMIN" ? null : principal.teamId);
  assertMayGrant(principal, data.role);
  if (teamId) {
    assertTeamAccess(principal, teamId);
    if (!(await db.team.findUnique({ where: { id: teamId } }))) throw notFound("Team", teamId);
  } else if (data.role !== "ADMIN") {
    throw badInput(`teamId: a ${data.role} key must belong to a team`, { field: "teamId" });
  }
  const expiresAt = expiryOf(principal, data.expiresAt, new Date());
  const { prefix, secret, secretHash } = generateApiKey();
  const apiKey = await db.$transaction(async (tx) => {
    const key = await tx.apiKey.create({
      data: {
        name: data.name,
        role: data.role,
        teamId,
        prefix,
        secretHash,
        expiresAt,
        createdById: principal.kind === "user" ? principal.id : null,
        createdByKeyId: principal.kind === "apikey" ? principal.id : null,
      },
    });
    await writeAudit(tx, {
      actor: principal.actor,
      action: "apikey.create",
      entityType: "ApiKey",
      entityId: key.id,
      teamId,
      after: key,
    });
    return key;
  });
  return { apiKey, secret };
}

export async function revokeApiKey(db: Db, principal: Principal, id: string) {
  const key = await db.apiKey.findUnique({ where: { id } });
  // Another team's key, or one of no team, is "not found" to a non-admin.
  assertVisible(principal, key, (k) => k.teamId, "API key", id);
  assertMayGrant(principal, key.role);
  if (key.revokedAt) return key; // revoking twice is idempotent; the first revocation time stands
  return db.$transaction(async (tx) => {
    const now = new Date();
    const revoked = await tx.apiKey.update({ where: { id }, data: { revokedAt: now } });
    // Keys this key created, and theirs, die with it.
    await tx.$executeRaw`
      WITH RECURSIVE descendants AS (
        SELECT id FROM api_keys WHERE created_by_key_id = ${id}
        UNION SELECT k.id FROM api_keys k JOIN descendants d ON k.created_by_key_id = d.id
      )
      UPDATE api_keys SET revoked_at = ${now}, updated_at = ${now} WHERE id IN (SELECT id FROM descendants) AND revoked_at IS NULL`;
    await writeAudit(tx, {
      actor: principal.actor,
      action: "apikey.revoke",
      entityType: "ApiKey",
      entityId: id,
      teamId: key.teamId,
      before: key,
      after: revoked,
    });
    return revoked;
  });
}
