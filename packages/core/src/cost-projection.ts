import { MoneyDecimal, type Money } from "./decimal.ts";
import { costOfRequests } from "./prices.ts";

/** Days of traffic a projection looks back on, besides today; that window is taken as a month. */
const PROJECTION_WINDOW_DAYS = 30;

/** The trailing window of a projection at `now`: the last 30 full UTC days and today, as [from, to] days (inclusive). */
export function projectionWindow(now: Date): { fromDay: Date; toDay: Date } {
  const toDay = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return { fromDay: new Date(toDay.getTime() - PROJECTION_WINDOW_DAYS * 86_400_000), toDay };
}

type BudgetActionName = "NOTIFY" | "BLOCK_PROMOTION" | "AUTO_OPTIMIZE";

/** A budget covering the model, with what it has spent in its current period. */
export interface CoveringBudget {
  id: string;
  name: string;
  action: BudgetActionName;
  amountUsd: Money;
  spentUsd: Money;
  /**
   * A budget scoped to a tag covers only the model's usage carrying it: the window's tagged
   * requests and their recorded cost, whose change is what counts against it. Absent: all of the model's traffic.
   */
  traffic?: { requests: bigint | number | string; costUsd: Money };
}

export interface BudgetHeadroom<B extends CoveringBudget = CoveringBudget> {
  budget: B;
  /** amount − spent this period (negative once exceeded). */
  remainingUsd: Money;
}

export interface CostProjectionValue<B extends CoveringBudget = CoveringBudget> {
  /** What the trailing-window traffic actually cost, as recorded: the model's current monthly spend. */
  currentMonthlyUsd: Money;
  /** The same requests at the candidate's cost per million. */
  projectedMonthlyUsd: Money;
  deltaMonthlyUsd: Money;
  /** The covering budget with the least left this period (the one an increase overruns first); null when none covers the model. */
  mostConstraining: BudgetHeadroom<B> | null;
  /** The increase fits in what is left of every covering budget (true when none covers the model). */
  withinBudget: boolean;
  /** The BLOCK_PROMOTION budget with the least left, when the increase is positive and more than it has left: the gate refuses. */
  blockedBy: BudgetHeadroom<B> | null;
}

/**
 * What serving the model's trailing traffic with a candidate version would cost per month,
 * against every budget covering the model. `requests` and `currentCostUsd` are the window's
 * totals from the daily rollups; the window is taken as a month. A cheaper (or equally
 * priced) candidate is never blocked, even on a budget already exceeded.
 */
export function projectPromotionCost<B extends CoveringBudget>(input: {
  requests: bigint | number | string;
  currentCostUsd: Money;
  candidateCostPerMillionUsd: Money;
  budgets: readonly B[];
}): CostProjectionValue<B> {
  const current = new MoneyDecimal(input.currentCostUsd).toDecimalPlaces(6);
  const projected = costOfRequests(input.requests, input.candidateCostPerMillionUsd);
  const delta = projected.sub(current);
  const headrooms = input.budgets.map((budget) => ({
    budget,
    remainingUsd: new MoneyDecimal(budget.amountUsd).sub(budget.spentUsd),
  }));
  const least = (list: BudgetHeadroom<B>[]) =>
    list.reduce<BudgetHeadroom<B> | null>((best, h) => {
      if (!best || h.remainingUsd.lt(best.remainingUsd)) return h;
      // On a tie, the budget that can block is the one to show.
      if (
        h.remainingUsd.eq(best.remainingUsd) &&
        h.budget.action === "BLOCK_PROMOTION" &&
        best.budget.action !== "BLOCK_PROMOTION"
      )
        return h;
      return best;
    }, null);
  const mostConstraining = least(headrooms);
  const tightestBlocking = least(headrooms.filter((h) => h.budget.action === "BLOCK_PROMOTION"));
  // The increase a budget sees: of the traffic it covers (a tag's share, or all the model's).
  const deltaOf = (b: B): Money =>
    b.traffic
      ? costOfRequests(b.traffic.requests, input.candidateCostPerMillionUsd).sub(
          new MoneyDecimal(b.traffic.costUsd).toDecimalPlaces(6),
        )
      : delta;
  const overruns = (h: BudgetHeadroom<B>) => deltaOf(h.budget).gt(0) && deltaOf(h.budget).gt(h.remainingUsd);
  const blocking = headrooms.filter((h) => h.budget.action === "BLOCK_PROMOTION");
  const untagged = blocking.every((h) => !h.budget.traffic);
  return {
    currentMonthlyUsd: current,
    projectedMonthlyUsd: projected,
    deltaMonthlyUsd: delta,
    mostConstraining,
    withinBudget: headrooms.every((h) => deltaOf(h.budget).lte(h.remainingUsd)),
    // Without tag budgets: the tightest blocking budget, if overrun (as before); with them: the tightest overrun one.
    blockedBy: untagged
      ? tightestBlocking && overruns(tightestBlocking)
        ? tightestBlocking
        : null
      : least(blocking.filter(overruns)),
  };
}
