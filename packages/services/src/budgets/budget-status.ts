import { MoneyDecimal, computeBudgetStatus, periodBounds, type BudgetStatusValue, type Money } from "@costgate/core";
import type { Budget, Db, Prisma } from "@costgate/db";

type Reader = Db | Prisma.TransactionClient;
type BudgetScope = Pick<Budget, "teamId" | "modelId">;

/** What a budget covers: its model's spend, or its whole team's. */
export const spendScope = (b: BudgetScope): Prisma.DailySpendWhereInput => (b.modelId ? { modelId: b.modelId } : { teamId: b.teamId });

/** Spend of a budget's scope over [from, to) in whole UTC days, from the daily rollups (never the raw usage rows). */
export async function spendBetween(db: Reader, scope: BudgetScope, from: Date, to: Date): Promise<Money> {
  const agg = await db.dailySpend.aggregate({ _sum: { costUsd: true }, where: { ...spendScope(scope), day: { gte: from, lt: to } } });
  return new MoneyDecimal((agg._sum.costUsd ?? 0).toString());
}

/** The budget's status now (or at `now`): its current calendar period, spent, forecast, state and exhaust date. */
export async function budgetStatus(db: Reader, budget: Pick<Budget, "teamId" | "modelId" | "amountUsd" | "period" | "alertThresholds">, now = new Date()): Promise<BudgetStatusValue> {
  const { start, end } = periodBounds(budget.period, now);
  const spentUsd = await spendBetween(db, budget, start, end);
  return computeBudgetStatus({ amountUsd: new MoneyDecimal(budget.amountUsd.toString()), spentUsd, thresholds: budget.alertThresholds, period: budget.period, now });
}
