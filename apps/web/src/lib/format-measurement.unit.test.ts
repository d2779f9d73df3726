import { describe, expect, it } from "vitest";
import {
  describeComparison,
  describeMeasurement,
  describeMeasurementShort,
  formatHourly,
  formatMoneyDeltaPrecise,
  formatMoneyPrecise,
  formatPerMillion,
  formatRatio,
  formatUncertainty,
} from "./format";

describe("uncertainty", () => {
  it("shows the 95% half-width as ± a percentage", () => {
    expect(formatUncertainty(0.021)).toBe("±2.1%");
    expect(formatUncertainty(0.03)).toBe("±3%");
    expect(formatUncertainty(0.125)).toBe("±13%");
    expect(formatUncertainty(0.0012)).toBe("±0.1%");
  });
  it("never rounds a real uncertainty down to ±0%", () => {
    expect(formatUncertainty(0.0001)).toBe("±<0.1%");
    expect(formatUncertainty(0)).toBe("±<0.1%");
  });
  it("is empty when unknown, so it can be left out", () => {
    expect(formatUncertainty(null)).toBe("");
    expect(formatUncertainty(undefined)).toBe("");
    expect(formatUncertainty(Number.NaN)).toBe("");
    expect(formatUncertainty(-0.1)).toBe("");
  });
});

describe("prices and ratios", () => {
  it("keeps every digit of an hourly price", () => {
    expect(formatHourly("0.08925")).toBe("$0.08925/h");
    expect(formatHourly("0.0416")).toBe("$0.0416/h");
    expect(formatHourly("3.06")).toBe("$3.06/h");
    expect(formatHourly(null)).toBe("—");
  });
  it("keeps tiny costs per million readable", () => {
    expect(formatPerMillion("0.000114")).toBe("$0.000114");
  });
  it("shows tiny savings and spend as what they are, not $0.00", () => {
    expect(formatMoneyPrecise("0.000513")).toBe("$0.000513");
    expect(formatMoneyPrecise("0.0041234")).toBe("$0.00412");
    expect(formatMoneyPrecise("-0.0002")).toBe("-$0.00020");
    expect(formatMoneyPrecise("0.01")).toBe("$0.01");
    expect(formatMoneyPrecise("1234.5")).toBe("$1,234.50");
    expect(formatMoneyPrecise("0")).toBe("$0.00");
    expect(formatMoneyPrecise(null)).toBe("—");
    expect(formatMoneyDeltaPrecise("0.000513")).toBe("+$0.000513");
    expect(formatMoneyDeltaPrecise("-3.5")).toBe("-$3.50");
    expect(formatMoneyDeltaPrecise(0)).toBe("$0.00");
  });
  it("formats throughput ratios with two decimals", () => {
    expect(formatRatio(1.6234)).toBe("1.62×");
    expect(formatRatio(0.974)).toBe("0.97×");
    expect(formatRatio(null)).toBe("—");
  });
});

describe("paired comparisons", () => {
  it("names a significant speed-up and the cost it saves", () => {
    const d = describeComparison({ throughputRatio: 1.62, low: 1.51, high: 1.74, significant: true });
    expect(d).toEqual({
      verdict: "cheaper",
      text: "1.62× throughput (1.51–1.74), significant",
      headline: "1.62× throughput",
      range: "(1.51–1.74), significant",
      costChange: "38% lower $/1M",
    });
  });
  it("says plainly when there is no measurable saving", () => {
    const d = describeComparison({ throughputRatio: 1.003, low: 0.97, high: 1.04, significant: false });
    expect(d).toEqual({
      verdict: "none",
      text: "No measurable saving (0.97–1.04×)",
      headline: "No measurable saving",
      range: "(0.97–1.04×)",
      costChange: null,
    });
  });
  it("calls a significant slow-down costlier", () => {
    const d = describeComparison({ throughputRatio: 0.8, low: 0.75, high: 0.85, significant: true });
    expect(d.verdict).toBe("costlier");
    expect(d.text).toBe("0.80× throughput (0.75–0.85), significant");
    expect(d.costChange).toBe("25% higher $/1M");
  });
  it("shows small cost changes with a decimal", () => {
    expect(describeComparison({ throughputRatio: 1.05, low: 1.02, high: 1.08, significant: true }).costChange).toBe(
      "4.8% lower $/1M",
    );
  });
});

describe("measurement details", () => {
  const m = {
    backend: "wasm",
    batchSize: 32,
    runs: 40,
    uncertainty: 0.021,
    disturbedRounds: 0,
    hardwareProfile: { name: "c7i.large", hourlyPriceUsd: "0.08925" },
  };
  it("explains what a $/1M was measured with", () => {
    expect(describeMeasurement(m)).toBe("measured on c7i.large ($0.08925/h), wasm, batch 32, 40 timed runs, ±2.1%");
    expect(describeMeasurementShort(m)).toBe("c7i.large ($0.08925/h) · wasm · batch 32");
    expect(describeMeasurementShort({ ...m, hardwareProfile: { name: "c7i.large" } })).toBe(
      "c7i.large · wasm · batch 32",
    );
  });
  it("says when the uncertainty is unknown and when rounds were disturbed", () => {
    expect(describeMeasurement({ ...m, uncertainty: null, disturbedRounds: 1 })).toBe(
      "measured on c7i.large ($0.08925/h), wasm, batch 32, 40 timed runs, uncertainty not recorded, 1 round re-run (CPU busy)",
    );
  });
  it("says a measurement is normalised to the profile's calibrated speed, and how fast the machine ran", () => {
    expect(describeMeasurement({ ...m, speedFactor: 0.874 })).toBe(
      "measured on c7i.large ($0.08925/h), wasm, batch 32, 40 timed runs, ±2.1%, at the profile's calibrated speed (the machine ran at 87%)",
    );
    expect(describeMeasurement({ ...m, speedFactor: null })).toBe(describeMeasurement(m));
  });
});
