import { describe, expect, it } from "vitest";
import { paddedDomain, ticks } from "./chart-domain";

describe("paddedDomain", () => {
  it("pads the values' range on both sides", () => {
    const [low, high] = paddedDomain([0.001, 0.002], { pad: 0.1 });
    expect(low).toBeCloseTo(0.0009, 12);
    expect(high).toBeCloseTo(0.0021, 12);
  });

  it("never goes below $0", () => {
    expect(paddedDomain([0.00001, 0.002], { floor: 0 })[0]).toBe(0);
  });

  it("keeps a share within 0–100%", () => {
    const [low, high] = paddedDomain([0.9, 1], { floor: 0, ceil: 1 });
    expect(high).toBe(1);
    expect(low).toBeGreaterThan(0.85);
    expect(paddedDomain([0, 0.02], { floor: 0, ceil: 1 })[0]).toBe(0);
  });

  it("gives one value (or equal ones) room around it, and an empty chart 0–1", () => {
    const [low, high] = paddedDomain([0.5, 0.5], { pad: 0.1 });
    expect(low).toBeCloseTo(0.45, 12);
    expect(high).toBeCloseTo(0.55, 12);
    expect(paddedDomain([1, 1], { floor: 0, ceil: 1 })).toEqual([0.88, 1]);
    expect(paddedDomain([], { floor: 0 })).toEqual([0, 1]);
  });
});

describe("ticks", () => {
  it("puts round ticks inside the range", () => {
    expect(ticks([0, 1])).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(ticks([0.00009, 0.00021])).toEqual([0.0001, 0.00015, 0.0002]);
    for (const t of ticks([0.883, 0.991])) {
      expect(t).toBeGreaterThanOrEqual(0.883);
      expect(t).toBeLessThanOrEqual(0.991);
    }
  });
});
