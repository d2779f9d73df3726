import { describe, expect, it } from "vitest";
import { composeRatios, effectiveCosts, savingOf } from "./cost-saving.ts";

describe("composeRatios", () => {
  it("multiplies the ratios of a lineage and widens the interval", () => {
    const prune = { throughputRatio: 2, low: 1.9, high: 2.1, significant: true };
    const quantize = { throughputRatio: 1.01, low: 0.97, high: 1.05, significant: false };
    const both = composeRatios([prune, quantize]);
    expect(both.throughputRatio).toBeCloseTo(2.02, 6);
    expect(both.low).toBeLessThan(1.9 * 0.97 + 0.1);
    expect(both.high - both.low).toBeGreaterThan(2.1 - 1.9);
    expect(both.significant).toBe(true);
  });

  it("keeps a lopsided interval lopsided: one slow round does not hide a clear saving", () => {
    // pruning 1.71x (1.57-2.95: one round far above), then a same-shape fine-tune (0.96-1.41)
    const r = composeRatios([
      { throughputRatio: 1.71, low: 1.57, high: 2.95, significant: true },
      { throughputRatio: 1.0, low: 0.96, high: 1.41, significant: false },
    ]);
    expect(r.significant).toBe(true);
    expect(r.low).toBeGreaterThan(1.5);
    expect(r.high).toBeGreaterThan(2.95);
  });

  it("is not significant when every step's interval contains 1", () => {
    const noise = { throughputRatio: 1.02, low: 0.99, high: 1.05, significant: false };
    expect(composeRatios([noise, noise]).significant).toBe(false);
    expect(composeRatios([]).significant).toBe(false);
  });
});

describe("savingOf", () => {
  it("turns a throughput ratio into a cost reduction", () => {
    expect(savingOf({ throughputRatio: 2, low: 1.8, high: 2.2, significant: true })).toMatchObject({
      relative: 0.5,
      saves: true,
    });
    expect(savingOf({ throughputRatio: 1.25, low: 0.9, high: 1.6, significant: false }).saves).toBe(false);
    // significantly slower is no saving
    expect(savingOf({ throughputRatio: 0.5, low: 0.45, high: 0.55, significant: true }).saves).toBe(false);
  });
});

describe("effectiveCosts", () => {
  it("gives a step with no significant change its input's cost, down the lineage", () => {
    const costs = effectiveCosts([
      { id: "v1", parentId: null, costPerMillionUsd: "1.00", comparison: null },
      { id: "v2", parentId: "v1", costPerMillionUsd: "0.50", comparison: { significant: true } },
      { id: "v3", parentId: "v2", costPerMillionUsd: "0.45", comparison: { significant: false } },
      { id: "v4", parentId: "v3", costPerMillionUsd: "0.40", comparison: { significant: false } },
      { id: "v5", parentId: "v1", costPerMillionUsd: "0.90", comparison: null },
    ]);
    expect(Object.fromEntries(costs)).toEqual({ v1: "1.00", v2: "0.50", v3: "0.50", v4: "0.50", v5: "0.90" });
  });

  it("keeps a version's own cost when its parent is not in the list", () => {
    expect(
      effectiveCosts([
        { id: "v2", parentId: "gone", costPerMillionUsd: "0.5", comparison: { significant: false } },
      ]).get("v2"),
    ).toBe("0.5");
  });
});
