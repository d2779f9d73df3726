import { z } from "zod";
import { MoneyDecimal, assertVisible, formatMoney, periodBounds, type Principal } from "@costgate/core";
import type { Db, Prisma } from "@costgate/db";
import { writeAudit } from "@costgate/services";
import { validate } from "../validate.ts";
import { BudgetAction, BudgetName, amountOf, checkPolicy, thresholdsOf } from "./budget-fields.ts";

// Omitted (or null) fields stay as they are; policyId: null detaches the policy.
const Input = z.object({
  name: BudgetName.nullish(),
  amountUsd: z.string().nullish(),
  alertThresholds: z.array(z.number()).nullish(),
  action: BudgetAction.nullish(),
  policyId: z.string().min(1).nullish(),
});

/**
 * Changes the given fields. A new amount applies to the current period at once (status,
 * alerts and the cost gate use it from now on), and the audit event records the change and
 * the period it applies from. Switching the action away from AUTO_OPTIMIZE detaches its policy.
 */
export async function updateBudget(
  deps: { db: Db; now: () => Date },
  principal: Principal,
  id: string,
  input: unknown,
) {
  const data = validate(Input, input);
  const { db } = deps;
  const budget = await db.budget.findUnique({ where: { id } });
  assertVisible(principal, budget, (r) => r.teamId, "Budget", id);

  const changes: Prisma.BudgetUncheckedUpdateInput = {};
  if (data.name != null) changes.name = data.name;
  if (data.amountUsd != null) changes.amountUsd = amountOf(data.amountUsd);
  if (data.alertThresholds != null) changes.alertThresholds = thresholdsOf(data.alertThresholds);
  const action = data.action ?? budget.action;
  if (data.action != null) changes.action = data.action;
  let policyId = data.policyId !== undefined ? data.policyId : budget.policyId;
  if (data.policyId === undefined && action !== "AUTO_OPTIMIZE") policyId = null;
  if (policyId !== budget.policyId) changes.policyId = policyId;
  await checkPolicy(db, { teamId: budget.teamId, modelId: budget.modelId, action, policyId });

  return db.$transaction(async (tx) => {
    const before = await tx.budget.findUniqueOrThrow({ where: { id } });
    const after = await tx.budget.update({ where: { id }, data: changes });
    const amountChanged = !new MoneyDecimal(before.amountUsd.toString()).eq(after.amountUsd.toString());
    await writeAudit(tx, {
      actor: principal.actor,
      action: "budget.update",
      entityType: "Budget",
      entityId: id,
      teamId: after.teamId,
      before,
      after: {
        ...after,
        ...(amountChanged
          ? {
              amountChange: {
                from: formatMoney(before.amountUsd),
                to: formatMoney(after.amountUsd),
                appliesFromPeriodStart: periodBounds(after.period, deps.now()).start,
              },
            }
          : {}),
      },
    });
    return after;
  });
}
