import { describe, expect, it } from "vitest";
import { formatShare, formatUsd } from "./money-display.ts";

describe("formatUsd", () => {
  it("shows dollars with cents", () => {
    expect(formatUsd("1234.5")).toBe("$1,234.50");
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(null)).toBe("—");
  });
  it("never shows a nonzero amount under a cent as $0.00", () => {
    expect(formatUsd("0.000114")).toBe("$0.000114");
    expect(formatUsd("-0.0041234")).toBe("-$0.00412");
  });
});

describe("formatShare", () => {
  it("writes fractions as percentages with at most one decimal", () => {
    expect(formatShare(0.55)).toBe("55%");
    expect(formatShare(19.928)).toBe("1,992.8%");
  });
});
