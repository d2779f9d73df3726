import { describe, expect, it } from "vitest";
import { composeRatios, savingOf } from "./cost-saving.ts";

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

  it("is not significant when every step's interval contains 1", () => {
    const noise = { throughputRatio: 1.02, low: 0.99, high: 1.05, significant: false };
    expect(composeRatios([noise, noise]).significant).toBe(false);
    expect(composeRatios([]).significant).toBe(false);
  });
});

describe("savingOf", () => {
  it("turns a throughput ratio into a cost reduction", () => {
    expect(savingOf({ throughputRatio: 2, low: 1.8, high: 2.2, significant: true })).toMatchObject({ relative: 0.5, saves: true });
    expect(savingOf({ throughputRatio: 1.25, low: 0.9, high: 1.6, significant: false }).saves).toBe(false);
    // significantly slower is no saving
    expect(savingOf({ throughputRatio: 0.5, low: 0.45, high: 0.55, significant: true }).saves).toBe(false);
  });
});
