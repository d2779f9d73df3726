import { z } from "zod";
import { Roles, badInput, notFound, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import { writeAudit } from "@costgate/services";
import { validate } from "../validate.ts";

const Input = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(200).optional(),
    role: z.enum(Roles).optional(),
    teamId: z.string().min(1).nullish(),
    active: z.boolean().optional(),
  })
  .strict();

/**
 * ADMIN: renames a user, changes its role or team, deactivates or reactivates it. Only the fields
 * given change; the user must stay valid (a non-admin needs a team), and an admin cannot lock
 * itself out (deactivate or demote itself). Deactivating ends every session of the user.
 * Returns the user and whether sessions ended (the caller then forgets cached tokens).
 */
export async function updateUser(db: Db, principal: Principal, id: string, input: unknown) {
  const data = validate(Input, input);
  const before = await db.user.findUnique({ where: { id } });
  if (!before) throw notFound("User", id);
  if (id === principal.id && data.active === false)
    throw badInput("active: you cannot deactivate yourself; ask another admin", { field: "active" });
  if (id === principal.id && data.role && data.role !== "ADMIN")
    throw badInput("role: you cannot take the ADMIN role from yourself; ask another admin", { field: "role" });
  const role = data.role ?? before.role;
  const teamId = data.teamId === undefined ? before.teamId : data.teamId;
  if (role !== "ADMIN" && !teamId)
    throw badInput(`teamId: a ${role} must belong to a team (non-admins act within their own team)`, {
      field: "teamId",
    });
  if (data.teamId && !(await db.team.findUnique({ where: { id: data.teamId } }))) throw notFound("Team", data.teamId);
  const deactivate = data.active === false && !before.deactivatedAt;
  const reactivate = data.active === true && before.deactivatedAt !== null;

  const user = await db.$transaction(async (tx) => {
    const after = await tx.user.update({
      where: { id },
      data: {
        ...(data.name !== undefined ? { name: data.name } : {}),
        role,
        teamId,
        ...(deactivate ? { deactivatedAt: new Date() } : reactivate ? { deactivatedAt: null } : {}),
      },
    });
    if (deactivate)
      await tx.session.updateMany({ where: { userId: id, revokedAt: null }, data: { revokedAt: new Date() } });
    await writeAudit(tx, {
      actor: principal.actor,
      action: "user.update",
      entityType: "User",
      entityId: id,
      teamId: after.teamId,
      before,
      after,
    });
    return after;
  });
  // A role or team change must reach tokens already verified too.
  return { user, sessionsChanged: deactivate || role !== before.role || teamId !== before.teamId };
}
