import { describe, expect, it } from "vitest";
import { parseThresholds, thresholdsToInput } from "./thresholds";

describe("parseThresholds", () => {
  it("reads percentages", () => {
    expect(parseThresholds("50, 80, 100")).toEqual({ ok: true, values: [0.5, 0.8, 1] });
    expect(parseThresholds("50%, 80%,100%")).toEqual({ ok: true, values: [0.5, 0.8, 1] });
  });
  it("reads fractions and sorts them", () => {
    expect(parseThresholds("1, 0.5 0.8")).toEqual({ ok: true, values: [0.5, 0.8, 1] });
  });
  it("reads small explicit percentages and values over 100%", () => {
    expect(parseThresholds("0.5%, 120")).toEqual({ ok: true, values: [0.005, 1.2] });
  });
  it("takes empty input as no thresholds (the API's default applies)", () => {
    expect(parseThresholds("  ")).toEqual({ ok: true, values: [] });
  });
  it("refuses words, zero, duplicates and too many", () => {
    expect(parseThresholds("50, lots")).toEqual({ ok: false, error: '"lots" is not a number' });
    expect(parseThresholds("0, 50").ok).toBe(false);
    expect(parseThresholds("50, 0.5")).toEqual({ ok: false, error: "50% is listed twice" });
    expect(parseThresholds("10,20,30,40,50,60,70,80,90,100,110").ok).toBe(false);
  });
  it("refuses what the API would refuse: a threshold above 1000%", () => {
    expect(parseThresholds("50, 1500")).toEqual({
      ok: false,
      error: "alert threshold 15 is a fraction of the amount: 15 means 1500%; use at most 10",
    });
  });
  it("writes them back for the edit form", () => {
    expect(thresholdsToInput([0.5, 0.8, 1])).toBe("50%, 80%, 100%");
  });
});
