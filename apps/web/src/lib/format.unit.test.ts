import { describe, expect, it } from "vitest";
import {
  describeJobTiming,
  describePolicyHardware,
  formatBytes,
  formatDueIn,
  formatElapsed,
  formatMetric,
  formatMoney,
  formatMoneyDelta,
  formatMoneyTick,
  formatPercent,
  formatPerMillion,
  humanize,
  metricLabel,
  ordinal,
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

describe("waiting and running times", () => {
  it("says how long something took, coarser as it gets longer", () => {
    expect(formatElapsed(400)).toBe("under a second");
    expect(formatElapsed(45_400)).toBe("45 s");
    expect(formatElapsed(3 * 60_000 + 20_000)).toBe("3 min");
    expect(formatElapsed(2 * 3_600_000 + 5 * 60_000)).toBe("2 h 5 min");
    expect(formatElapsed(3_600_000)).toBe("1 h");
    expect(formatElapsed(50 * 3_600_000)).toBe("2 d 2 h");
    expect(formatElapsed(-5)).toBe("—");
  });
  it("counts places in line", () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(ordinal)).toEqual([
      "1st",
      "2nd",
      "3rd",
      "4th",
      "11th",
      "12th",
      "13th",
      "21st",
      "22nd",
      "101st",
      "111th",
    ]);
  });
  const created = "2026-12-05T10:00:00.000Z";
  const at = (min: number) => new Date(Date.parse(created) + min * 60_000).toISOString();
  it("says where a queued job stands and how long it has waited", () => {
    expect(describeJobTiming({ status: "QUEUED", createdAt: created, queuePosition: 2 }, Date.parse(at(3)))).toBe(
      "Queued · 2nd in line · waiting 3 min",
    );
    expect(describeJobTiming({ status: "QUEUED", createdAt: created, queuePosition: null }, Date.parse(at(1)))).toBe(
      "Queued · waiting 1 min",
    );
  });
  it("keeps the wait out of the running time", () => {
    const job = { createdAt: created, startedAt: at(3), queuePosition: null };
    expect(describeJobTiming({ ...job, status: "RUNNING" }, Date.parse(at(8)))).toBe("waited 3 min, running for 5 min");
    expect(describeJobTiming({ ...job, status: "SUCCEEDED", finishedAt: at(8) }, Date.parse(at(60)))).toBe(
      "waited 3 min, ran 5 min",
    );
    expect(describeJobTiming({ status: "CANCELLED", createdAt: created, finishedAt: at(4) })).toBe(
      "waited 4 min, never ran",
    );
  });
  it("says when a retry is due", () => {
    const now = Date.parse(created);
    expect(formatDueIn(at(0.5), now)).toBe("in 30 s");
    expect(formatDueIn(at(20), now)).toBe("in 20 min");
    expect(formatDueIn(at(-1), now)).toBe("now");
  });
});

describe("a policy's hardware", () => {
  it("names the default profile when the policy has none of its own", () => {
    const c7i = { id: "h1", name: "c7i.large" };
    expect(describePolicyHardware({ hardwareProfile: null, effectiveHardwareProfile: c7i })).toBe(
      "c7i.large (default)",
    );
    expect(describePolicyHardware({ hardwareProfile: c7i, effectiveHardwareProfile: c7i })).toBe("c7i.large");
    expect(describePolicyHardware({ hardwareProfile: null, effectiveHardwareProfile: null })).toBe(
      "The default profile (none is set up yet)",
    );
  });
});
