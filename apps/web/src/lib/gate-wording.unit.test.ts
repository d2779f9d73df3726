import { describe, expect, it } from "vitest";
import { formatRequests } from "./format";
import { describeGateRefusal } from "./gate-wording";

describe("formatRequests", () => {
  it("says large counts as people do", () => {
    expect(formatRequests(10_000_000_000)).toBe("10 billion");
    expect(formatRequests("2500000")).toBe("2.5 million");
    expect(formatRequests(12_345)).toBe("12,345");
    expect(formatRequests(null)).toBe("—");
  });
});

describe("describeGateRefusal", () => {
  it("words the refusal without API names or raw numbers", () => {
    const text = describeGateRefusal(
      {
        trafficRequests: "10000000000",
        currentMonthlyUsd: "1200.00",
        projectedMonthlyUsd: "3400.00",
        deltaMonthlyUsd: "2200.00",
        remainingUsd: "900.00",
        budgetName: "Fraud serving",
      },
      3,
    );
    expect(text).toBe(
      "At the model's traffic of the last 30 days (10 billion requests), serving it with v3 would take monthly spend " +
        "from $1,200.00 to $3,400.00 (+$2,200.00): more than the $900.00 left this period in the budget “Fraud serving”, " +
        "which blocks promotions to production.",
    );
    expect(text).not.toMatch(/PRODUCTION|overrideReason|BLOCK_PROMOTION|10000000000/);
  });
  it("explains a version never measured", () => {
    expect(describeGateRefusal({ budgetName: "Team" }, 2)).toMatch(/^Version 2 has no cost measurement yet/);
  });
});
