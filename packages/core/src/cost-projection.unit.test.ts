import { describe, expect, it } from "vitest";
import { MoneyDecimal } from "./decimal.ts";
import { projectPromotionCost, projectionWindow, type CoveringBudget } from "./cost-projection.ts";

const d = (s: string) => new MoneyDecimal(s);
const budget = (id: string, action: CoveringBudget["action"], amount: string, spent: string): CoveringBudget => ({
  id,
  name: id,
  action,
  amountUsd: d(amount),
  spentUsd: d(spent),
});

describe("projectPromotionCost", () => {
  it("prices the window's requests at the candidate's rate, exactly, against the recorded cost", () => {
    const p = projectPromotionCost({
      requests: 3_000_000n,
      currentCostUsd: d("1.5"),
      candidateCostPerMillionUsd: d("0.700001"),
      budgets: [],
    });
    expect(p.projectedMonthlyUsd.toFixed()).toBe("2.100003");
    expect(p.currentMonthlyUsd.toFixed()).toBe("1.5");
    expect(p.deltaMonthlyUsd.toFixed()).toBe("0.600003");
    expect(p.withinBudget).toBe(true);
    expect(p.mostConstraining).toBeNull();
    expect(p.blockedBy).toBeNull();
  });

  it("blocks on the BLOCK_PROMOTION budget with the least left when the increase is more than that", () => {
    const budgets = [
      budget("team", "BLOCK_PROMOTION", "100", "90"),
      budget("model", "BLOCK_PROMOTION", "50", "45"),
      budget("notify", "NOTIFY", "1000", "0"),
    ];
    const p = projectPromotionCost({
      requests: 10_000_000,
      currentCostUsd: d("10"),
      candidateCostPerMillionUsd: d("1.6"),
      budgets,
    });
    expect(p.deltaMonthlyUsd.toFixed()).toBe("6");
    expect(p.blockedBy?.budget.id).toBe("model");
    expect(p.blockedBy?.remainingUsd.toFixed()).toBe("5");
    expect(p.mostConstraining?.budget.id).toBe("model");
    expect(p.withinBudget).toBe(false);
  });

  it("does not block when the increase fits, or on a NOTIFY budget, but says it is not within budget", () => {
    const fits = projectPromotionCost({
      requests: 1_000_000,
      currentCostUsd: d("1"),
      candidateCostPerMillionUsd: d("5"),
      budgets: [budget("b", "BLOCK_PROMOTION", "10", "6")],
    });
    expect(fits.deltaMonthlyUsd.toFixed()).toBe("4");
    expect(fits.blockedBy).toBeNull();
    expect(fits.withinBudget).toBe(true);
    const notify = projectPromotionCost({
      requests: 1_000_000,
      currentCostUsd: d("1"),
      candidateCostPerMillionUsd: d("5"),
      budgets: [budget("n", "NOTIFY", "2", "1")],
    });
    expect(notify.blockedBy).toBeNull();
    expect(notify.withinBudget).toBe(false);
    expect(notify.mostConstraining?.budget.id).toBe("n");
  });

  it("never blocks a cheaper version, even on a budget already exceeded", () => {
    const p = projectPromotionCost({
      requests: 1_000_000,
      currentCostUsd: d("8"),
      candidateCostPerMillionUsd: d("2"),
      budgets: [budget("b", "BLOCK_PROMOTION", "10", "12")],
    });
    expect(p.deltaMonthlyUsd.toFixed()).toBe("-6");
    expect(p.blockedBy).toBeNull();
    // 12 spent − 6 saved fits in 10; 20 spent − 6 does not.
    expect(p.withinBudget).toBe(true);
    const still = projectPromotionCost({
      requests: 1_000_000,
      currentCostUsd: d("8"),
      candidateCostPerMillionUsd: d("2"),
      budgets: [budget("b", "BLOCK_PROMOTION", "10", "20")],
    });
    expect(still.blockedBy).toBeNull();
    expect(still.withinBudget).toBe(false);
  });

  it("rounds the projection to the cent-millionth (half to even)", () => {
    const p = projectPromotionCost({
      requests: 1,
      currentCostUsd: d("0"),
      candidateCostPerMillionUsd: d("0.5"),
      budgets: [],
    });
    expect(p.projectedMonthlyUsd.toFixed()).toBe("0");
    expect(
      projectPromotionCost({
        requests: 3,
        currentCostUsd: d("0"),
        candidateCostPerMillionUsd: d("0.5"),
        budgets: [],
      }).projectedMonthlyUsd.toFixed(),
    ).toBe("0.000002");
  });
});

describe("projectPromotionCost with a budget scoped to a tag", () => {
  it("counts against it only the change of the tagged traffic", () => {
    // 10M requests a month at $1/1M = $10; a candidate at $3/1M: +$20 in all, +$2 for the 1M tagged requests.
    const tagged = {
      id: "t",
      name: "feature=search",
      action: "BLOCK_PROMOTION" as const,
      amountUsd: d("100"),
      spentUsd: d("97"),
      traffic: { requests: 1_000_000, costUsd: d("1") },
    };
    const input = { requests: 10_000_000, currentCostUsd: d("10"), candidateCostPerMillionUsd: d("3") };
    const p = projectPromotionCost({ ...input, budgets: [tagged] });
    expect(p.deltaMonthlyUsd.toFixed()).toBe("20");
    expect(p.withinBudget).toBe(true);
    expect(p.blockedBy).toBeNull();
    const tight = projectPromotionCost({ ...input, budgets: [{ ...tagged, spentUsd: d("98.5") }] });
    expect(tight.blockedBy?.budget.id).toBe("t");
    expect(tight.withinBudget).toBe(false);
  });
});

describe("projectionWindow", () => {
  it("is the last 30 full UTC days and today", () => {
    expect(projectionWindow(new Date("2028-03-01T23:59:59Z"))).toEqual({
      fromDay: new Date("2028-01-31T00:00:00Z"),
      toDay: new Date("2028-03-01T00:00:00Z"),
    });
  });
});
