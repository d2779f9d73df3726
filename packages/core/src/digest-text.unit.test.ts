import { describe, expect, it } from "vitest";
import { describeDigest } from "./digest-text.ts";

describe("describeDigest", () => {
  const facts = {
    teamName: "Fraud Detection",
    weekStart: new Date("2026-11-23T00:00:00Z"),
    spendUsd: "130.000000",
    previousUsd: "100.000000",
    movers: [
      { model: "Fraud scorer", spendUsd: "90.000000", previousUsd: "60.000000" },
      { model: "Tiny ranker", spendUsd: "0.000114", previousUsd: "0" },
    ],
    savings: { totalUsd: "12.500000", versions: 2 },
  };
  it("says the week's spend against the week before, the movers and the savings", () => {
    const t = describeDigest(facts);
    expect(t.title).toBe("Costgate weekly: Fraud Detection spent $130.00 (Nov 23–Nov 29), +$30.00 (+30%)");
    const body = t.lines.join("\n");
    expect(body).toContain("- Fraud scorer: $90.00, +$30.00 (+50%)");
    expect(body).toContain("- Tiny ranker: $0.000114, +$0.000114 (new)");
    expect(body).toContain("Savings from promotions: $12.50 this week, from 2 optimized versions in production");
    expect(body).not.toContain("Anomalies");
  });
  it("lists anomalies when there are some, and says a quiet week plainly", () => {
    const t = describeDigest({
      ...facts,
      spendUsd: "0",
      previousUsd: "0",
      movers: [],
      savings: null,
      anomalies: [
        { model: "Fraud scorer", day: new Date("2026-11-25T00:00:00Z"), actualUsd: "40", expectedUsd: "12" },
        {
          model: "Tiny ranker",
          day: new Date("2026-11-24T00:00:00Z"),
          actualUsd: "30",
          expectedUsd: "10",
          priceEffectUsd: "18.5",
          volumeEffectUsd: "-0.25",
        },
      ],
    });
    expect(t.title).toContain("spent $0.00 (Nov 23–Nov 29), no change");
    expect(t.lines.join("\n")).toContain("- Fraud scorer on Nov 25: $40.00, expected $12.00\n");
    expect(t.lines.join("\n")).toContain(
      "- Tiny ranker on Nov 24: $30.00, expected $10.00 (price +$18.50, volume -$0.25)",
    );
    expect(t.lines.join("\n")).toContain("No model spent anything in either week.");
  });
});
