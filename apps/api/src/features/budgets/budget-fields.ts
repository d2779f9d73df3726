import { z } from "zod";
import { MoneyDecimal, badInput, thresholdProblem } from "@costgate/core";
import type { Db } from "@costgate/db";

/** Fields shared by createBudget and updateBudget. */
export const BudgetName = z.string().trim().min(1, "must not be empty").max(120, "must be at most 120 characters");
export const BudgetAction = z.enum(["NOTIFY", "BLOCK_PROMOTION", "AUTO_OPTIMIZE"]);
export type BudgetActionName = z.infer<typeof BudgetAction>;

/** Alert thresholds when none are given: half, four fifths and all of the amount. */
export const DEFAULT_THRESHOLDS = [0.5, 0.8, 1];

/** amountUsd arrives as a checked Decimal string (the scalar refuses floats and > 6 decimals); it must be more than 0. */
export function amountOf(value: string): string {
  const amount = new MoneyDecimal(value);
  if (amount.lte(0)) throw badInput(`amountUsd must be more than 0 (got "${value}")`, { field: "amountUsd" });
  return amount.toFixed();
}

export function thresholdsOf(value: number[]): number[] {
  const problem = thresholdProblem(value);
  if (problem) throw badInput(`alertThresholds: ${problem}`, { field: "alertThresholds" });
  return value;
}

/**
 * The policy of a budget: required with AUTO_OPTIMIZE (the policy it runs) and refused with any
 * other action (it would do nothing). It must belong to the budget's team and, when both name
 * a model, the same model.
 */
export async function checkPolicy(
  db: Db,
  budget: { teamId: string; modelId: string | null; action: BudgetActionName; policyId: string | null },
): Promise<void> {
  if (budget.action !== "AUTO_OPTIMIZE") {
    if (budget.policyId)
      throw badInput(
        `policyId: only an AUTO_OPTIMIZE budget runs a policy (this one is ${budget.action}); leave policyId out`,
        { field: "policyId" },
      );
    return;
  }
  if (!budget.policyId)
    throw badInput("policyId: an AUTO_OPTIMIZE budget needs the optimization policy it runs", { field: "policyId" });
  const policy = await db.optimizationPolicy.findUnique({
    where: { id: budget.policyId },
    select: { teamId: true, modelId: true, name: true },
  });
  if (!policy || policy.teamId !== budget.teamId)
    throw badInput(`policyId: optimization policy ${budget.policyId} not found in the budget's team`, {
      field: "policyId",
    });
  if (budget.modelId && policy.modelId && policy.modelId !== budget.modelId) {
    throw badInput(`policyId: policy "${policy.name}" is for another model than the budget`, { field: "policyId" });
  }
}
