import type { Budget } from "@costgate/db";
import { budgetStatus } from "@costgate/services";
import type { WorkerDeps } from "../deps.ts";
import { raiseAlerts } from "./raise-alerts.ts";
import { autoOptimize } from "./auto-optimize.ts";

export interface CheckResult {
  budgets: number;
  alertsCreated: string[];
  autoOptimized: string[];
}

/**
 * The `budgets` job: for every budget (of one team, after an ingestion; of all teams, every
 * minute) computes its status from the daily rollups, raises the alerts it calls for (once per
 * budget, period, kind and threshold however many checks race) and, for AUTO_OPTIMIZE budgets
 * AT_RISK or EXCEEDED, runs the policy once per period. One budget's failure does not stop
 * the others; the job then fails and is retried, which is safe since every step is idempotent.
 */
export async function checkBudgets(
  deps: Pick<WorkerDeps, "db" | "producer" | "logger">,
  opts: { teamId?: string; now?: Date } = {},
): Promise<CheckResult> {
  const now = opts.now ?? new Date();
  const budgets = await deps.db.budget.findMany({
    where: opts.teamId ? { teamId: opts.teamId } : {},
    orderBy: { id: "asc" },
  });
  const result: CheckResult = { budgets: budgets.length, alertsCreated: [], autoOptimized: [] };
  const failures: { budgetId: string; err: Error }[] = [];
  for (const budget of budgets) {
    try {
      await checkBudget(deps, budget, now, result);
    } catch (e) {
      failures.push({ budgetId: budget.id, err: e as Error });
      deps.logger.error({ budgetId: budget.id, err: e }, "budget check failed");
    }
  }
  if (failures.length)
    throw new Error(
      `budget check failed for ${failures.length} budget(s): ${failures.map((f) => `${f.budgetId}: ${f.err.message}`).join("; ")}`,
    );
  return result;
}

async function checkBudget(
  deps: Pick<WorkerDeps, "db" | "producer" | "logger">,
  budget: Budget,
  now: Date,
  result: CheckResult,
): Promise<void> {
  const status = await budgetStatus(deps.db, budget, now);
  result.alertsCreated.push(...(await raiseAlerts(deps, budget, status)));
  if (budget.action === "AUTO_OPTIMIZE" && (status.state === "AT_RISK" || status.state === "EXCEEDED")) {
    if (await autoOptimize(deps, budget, status)) result.autoOptimized.push(budget.id);
  }
}
