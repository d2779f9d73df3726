import { describe, expect, it } from "vitest";
import { moneyAxis } from "./money-axis";

describe("moneyAxis", () => {
  it("starts at $0 and ends on a round tick at or above the largest amount", () => {
    expect(moneyAxis(1.08)).toEqual({ ticks: [0, 0.5, 1, 1.5], step: 0.5, top: 1.5 });
    expect(moneyAxis(2700).ticks).toEqual([0, 1000, 2000, 3000]);
  });
  it("keeps tiny amounts on exact ticks", () => {
    expect(moneyAxis(0.00114).ticks).toEqual([0, 0.0005, 0.001, 0.0015]);
  });
  it("answers an axis for nothing spent", () => {
    expect(moneyAxis(0).top).toBe(1);
  });
});
