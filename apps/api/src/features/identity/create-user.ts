import { z } from "zod";
import { Roles, badInput, notFound, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import { assertPasswordStrength } from "@costgate/core";
import { hashPassword } from "@costgate/secrets";
import { writeAudit } from "@costgate/services";
import { validate } from "../validate.ts";
import { conflictOnDuplicate } from "../unique-violation.ts";

const Input = z.object({
  email: z.string().trim().toLowerCase().email("must be an email address"),
  name: z.string().trim().min(1, "must not be empty").max(200),
  password: z.string(),
  role: z.enum(Roles),
  teamId: z.string().min(1).nullish(),
});

export async function createUser(db: Db, principal: Principal, input: unknown) {
  const data = validate(Input, input);
  assertPasswordStrength(data.password);
  if (data.role !== "ADMIN" && !data.teamId) {
    throw badInput(`teamId: a ${data.role} must belong to a team (non-admins act within their own team)`, {
      field: "teamId",
    });
  }
  if (data.teamId && !(await db.team.findUnique({ where: { id: data.teamId } }))) throw notFound("Team", data.teamId);
  const passwordHash = await hashPassword(data.password);
  return conflictOnDuplicate(
    () =>
      db.$transaction(async (tx) => {
        const user = await tx.user.create({
          data: { email: data.email, name: data.name, role: data.role, teamId: data.teamId ?? null, passwordHash },
        });
        await writeAudit(tx, {
          actor: principal.actor,
          action: "user.create",
          entityType: "User",
          entityId: user.id,
          teamId: user.teamId,
          after: user,
        });
        return user;
      }),
    `A user with email ${data.email} already exists`,
  );
}
