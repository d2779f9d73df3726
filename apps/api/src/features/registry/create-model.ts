import { z } from "zod";
import { assertTeamAccess, badInput, classNamesProblem, notFound, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import { writeAudit } from "@costgate/services";
import { validate } from "../validate.ts";
import { conflictOnDuplicate } from "../unique-violation.ts";

const Input = z.object({
  teamId: z.string().min(1),
  name: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(120)
    .regex(/^[\w.\- ]+$/, "may contain letters, digits, spaces, '.', '_' and '-'"),
  description: z.string().trim().max(2000).nullish(),
  task: z.enum(["CLASSIFICATION", "REGRESSION"]),
  classNames: z
    .array(z.string())
    .nullish()
    .superRefine((names, ctx) => {
      const problem = names ? classNamesProblem(names) : null;
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
});

export async function createModel(db: Db, principal: Principal, input: unknown) {
  const { classNames, ...data } = validate(Input, input);
  if (classNames && data.task !== "CLASSIFICATION")
    throw badInput("classNames: only a classifier's outputs are classes (task is REGRESSION)", { field: "classNames" });
  assertTeamAccess(principal, data.teamId);
  if (!(await db.team.findUnique({ where: { id: data.teamId } }))) throw notFound("Team", data.teamId);
  return conflictOnDuplicate(
    () =>
      db.$transaction(async (tx) => {
        const model = await tx.model.create({
          data: { ...data, description: data.description ?? null, classNames: classNames ?? [] },
        });
        await writeAudit(tx, {
          actor: principal.actor,
          action: "model.create",
          entityType: "Model",
          entityId: model.id,
          teamId: model.teamId,
          after: model,
        });
        return model;
      }),
    `The team already has a model named "${data.name}"`,
  );
}
