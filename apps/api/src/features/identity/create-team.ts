import { z } from "zod";
import type { Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import { writeAudit } from "@costgate/services";
import { validate } from "../validate.ts";
import { conflictOnDuplicate } from "../unique-violation.ts";

const Input = z.object({
  name: z.string().trim().min(1, "must not be empty").max(100),
  slug: z
    .string()
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "must be lowercase letters, digits and single dashes, like ml-platform")
    .max(60),
});

export async function createTeam(db: Db, principal: Principal, input: unknown) {
  const data = validate(Input, input);
  return conflictOnDuplicate(
    () =>
      db.$transaction(async (tx) => {
        const team = await tx.team.create({ data });
        await writeAudit(tx, {
          actor: principal.actor,
          action: "team.create",
          entityType: "Team",
          entityId: team.id,
          teamId: team.id,
          after: team,
        });
        return team;
      }),
    `A team with slug "${data.slug}" already exists`,
  );
}
