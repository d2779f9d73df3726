import { z } from "zod";
import { assertTeamAccess, badInput, notFound, tagProblem, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import { writeAudit } from "@costgate/services";
import { validate } from "../validate.ts";
import { assertModelInTeam } from "../model-in-team.ts";
import { BudgetAction, BudgetName, DEFAULT_THRESHOLDS, amountOf, checkPolicy, thresholdsOf } from "./budget-fields.ts";

const Input = z.object({
  name: BudgetName,
  teamId: z.string().min(1),
  modelId: z.string().min(1).nullish(),
  amountUsd: z.string(),
  period: z.enum(["MONTHLY", "QUARTERLY", "YEARLY"]),
  alertThresholds: z.array(z.number()).nullish(),
  action: BudgetAction.nullish(),
  policyId: z.string().min(1).nullish(),
  tag: z.object({ key: z.string(), value: z.string() }).nullish(),
});

/** Creates a budget for a team (or one of its models; optionally only its usage carrying a tag) in the caller's team, audited. */
export async function createBudget(db: Db, principal: Principal, input: unknown) {
  const data = validate(Input, input);
  assertTeamAccess(principal, data.teamId);
  const amountUsd = amountOf(data.amountUsd);
  const alertThresholds = thresholdsOf(data.alertThresholds ?? DEFAULT_THRESHOLDS);
  const tagIssue = data.tag ? tagProblem(data.tag) : null;
  if (tagIssue) throw badInput(`tag.${tagIssue.field}: ${tagIssue.message}`, { field: `tag.${tagIssue.field}` });
  if (!(await db.team.findUnique({ where: { id: data.teamId }, select: { id: true } })))
    throw notFound("Team", data.teamId);
  if (data.modelId) await assertModelInTeam(db, principal, data.modelId, data.teamId, "budget");
  const action = data.action ?? "NOTIFY";
  await checkPolicy(db, {
    teamId: data.teamId,
    modelId: data.modelId ?? null,
    action,
    policyId: data.policyId ?? null,
  });

  return db.$transaction(async (tx) => {
    const budget = await tx.budget.create({
      data: {
        name: data.name,
        teamId: data.teamId,
        modelId: data.modelId ?? null,
        amountUsd,
        period: data.period,
        alertThresholds,
        action,
        policyId: data.policyId ?? null,
        tagKey: data.tag?.key ?? null,
        tagValue: data.tag?.value ?? null,
      },
    });
    await writeAudit(tx, {
      actor: principal.actor,
      action: "budget.create",
      entityType: "Budget",
      entityId: budget.id,
      teamId: budget.teamId,
      after: budget,
    });
    return budget;
  });
}
