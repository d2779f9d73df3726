import { describe, expect, it } from "vitest";
import {
  formatBytes,
  formatMetric,
  formatMoney,
  formatMoneyDelta,
  formatMoneyTick,
  formatPercent,
  formatPerMillion,
  humanize,
  metricLabel,
} from "./format";

describe("money", () => {
  it("formats dollars with cents and thousands separators", () => {
    expect(formatMoney("1234.56")).toBe("$1,234.56");
    expect(formatMoney(2500)).toBe("$2,500.00");
    expect(formatMoney("0")).toBe("$0.00");
    expect(formatMoney("12.5")).toBe("$12.50");
    expect(formatMoney(null)).toBe("—");
  });
  it("shows tiny costs per million inferences with enough significant digits", () => {
    expect(formatPerMillion("0.000094")).toBe("$0.000094");
    expect(formatPerMillion("0.0123")).toBe("$0.0123");
    expect(formatPerMillion("0.5")).toBe("$0.50");
    expect(formatPerMillion("3.456")).toBe("$3.46");
    expect(formatPerMillion("0")).toBe("$0.00");
  });
  it("signs changes", () => {
    expect(formatMoneyDelta("12")).toBe("+$12.00");
    expect(formatMoneyDelta("-3.5")).toBe("-$3.50");
    expect(formatMoneyDelta(0)).toBe("$0.00");
  });
});

describe("percentages and the rest", () => {
  it("formats fractions as percentages without needless decimals", () => {
    expect(formatPercent(0.8)).toBe("80%");
    expect(formatPercent(0.825)).toBe("82.5%");
    expect(formatPercent(1.234)).toBe("123.4%");
    expect(formatPercent(0)).toBe("0%");
    expect(formatPercent(Number.NaN)).toBe("—");
  });
  it("formats metrics, bytes and enum names", () => {
    expect(formatMetric("accuracy", 0.93125)).toBe("93.13%");
    expect(formatMetric("mse", 0.012345)).toBe("0.01235");
    expect(formatMetric("agreement", 0.9925)).toBe("99.25%");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(512)).toBe("512 B");
    expect(humanize("ML_ENGINEER")).toBe("ML engineer");
    expect(humanize("AT_RISK")).toBe("At risk");
    expect(humanize("FINE_TUNE")).toBe("Fine-tune");
    expect(humanize("AUTO_OPTIMIZE")).toBe("Auto-optimize");
    expect(metricLabel("accuracy")).toBe("Accuracy");
    expect(metricLabel("mse")).toBe("MSE");
    expect(metricLabel("agreement")).toBe("Agreement with source");
  });
});

describe("tiny money", () => {
  it("never shows a nonzero amount as $0.00", () => {
    expect(formatMoney("0.000114")).toBe("$0.000114");
    expect(formatMoney("0.0041234")).toBe("$0.00412");
    expect(formatMoney("-0.0005")).toBe("-$0.00050");
    expect(formatMoney("0.01")).toBe("$0.01");
    expect(formatMoney(0)).toBe("$0.00");
  });
  it("labels axis ticks with the decimals their step needs", () => {
    expect([0, 0.25, 0.5, 0.75].map((v) => formatMoneyTick(v, 0.25))).toEqual(["$0.00", "$0.25", "$0.50", "$0.75"]);
    expect([0, 0.2, 0.4].map((v) => formatMoneyTick(v, 0.2))).toEqual(["$0.00", "$0.20", "$0.40"]);
    expect([0.0002, 0.0004, 0.0006].map((v) => formatMoneyTick(v, 0.0002))).toEqual(["$0.0002", "$0.0004", "$0.0006"]);
    expect([0.000025, 0.00005].map((v) => formatMoneyTick(v, 0.000025))).toEqual(["$0.000025", "$0.000050"]);
    expect([0, 500, 1500].map((v) => formatMoneyTick(v, 500))).toEqual(["$0", "$500", "$1,500"]);
    expect(formatMoneyTick(2.5, 2.5)).toBe("$2.5");
  });
});
