import { describe, expect, it } from "vitest";
import { spreadLabels } from "./label-layout";

const gaps = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.slice(1).map((x, i) => x - s[i]!);
};

describe("spreadLabels", () => {
  it("leaves labels that do not touch where they are", () => {
    expect(spreadLabels([50, 80, 100], 10, 0, 100)).toEqual([50, 80, 100]);
  });
  it("pushes apart labels closer than the gap, keeping their order and the range", () => {
    const out = spreadLabels([100, 95, 90], 10, 0, 100);
    expect(out[0]).toBe(100);
    expect(out[0]! > out[1]! && out[1]! > out[2]!).toBe(true);
    expect(Math.min(...gaps(out))).toBeGreaterThanOrEqual(10 - 1e-9);
    expect(Math.min(...out)).toBeGreaterThanOrEqual(0);
  });
  it("keeps labels inside the range at its edges", () => {
    const out = spreadLabels([-5, 2], 10, 0, 100);
    expect(out).toEqual([0, 10]);
  });
  it("spreads labels evenly when they cannot all fit", () => {
    expect(spreadLabels([1, 2, 3], 60, 0, 100)).toEqual([0, 50, 100]);
  });
});
