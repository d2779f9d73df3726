import { describe, expect, it } from "vitest";
import { MoneyDecimal } from "./decimal.ts";
import { alertsDue, computeBudgetStatus, periodBounds, thresholdProblem } from "./budget-status.ts";

const d = (s: string) => new Date(s);
const money = (s: string) => new MoneyDecimal(s);

describe("periodBounds (UTC calendar periods)", () => {
  it("months, including February in a leap year and the last millisecond of a month", () => {
    expect(periodBounds("MONTHLY", d("2028-02-29T23:59:59.999Z"))).toEqual({
      start: d("2028-02-01T00:00:00Z"),
      end: d("2028-03-01T00:00:00Z"),
    });
    expect(periodBounds("MONTHLY", d("2028-03-01T00:00:00Z")).start).toEqual(d("2028-03-01T00:00:00Z"));
    expect(periodBounds("MONTHLY", d("2026-12-31T23:59:59.999Z"))).toEqual({
      start: d("2026-12-01T00:00:00Z"),
      end: d("2027-01-01T00:00:00Z"),
    });
  });

  it("quarters start in January, April, July and October", () => {
    expect(periodBounds("QUARTERLY", d("2026-03-31T23:59:59.999Z"))).toEqual({
      start: d("2026-01-01T00:00:00Z"),
      end: d("2026-04-01T00:00:00Z"),
    });
    expect(periodBounds("QUARTERLY", d("2026-04-01T00:00:00Z"))).toEqual({
      start: d("2026-04-01T00:00:00Z"),
      end: d("2026-07-01T00:00:00Z"),
    });
    expect(periodBounds("QUARTERLY", d("2026-11-28T12:00:00Z"))).toEqual({
      start: d("2026-10-01T00:00:00Z"),
      end: d("2027-01-01T00:00:00Z"),
    });
  });

  it("years end at midnight UTC on 1 January, whatever the host's time zone", () => {
    expect(periodBounds("YEARLY", d("2026-12-31T23:30:00-05:00"))).toEqual({
      start: d("2027-01-01T00:00:00Z"),
      end: d("2028-01-01T00:00:00Z"),
    });
    expect(periodBounds("YEARLY", d("2026-06-15T00:00:00Z"))).toEqual({
      start: d("2026-01-01T00:00:00Z"),
      end: d("2027-01-01T00:00:00Z"),
    });
  });
});

/** Spend of `usd` on every day from `from` up to and including `to` ('YYYY-MM-DD'). */
function flat(from: string, to: string, usd: string) {
  const days = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000)
    days.push({ day: new Date(t).toISOString().slice(0, 10), costUsd: money(usd) });
  return days;
}
const spentOf = (days: { day: string; costUsd: InstanceType<typeof MoneyDecimal> }[], from: string) =>
  days.filter((x) => x.day >= from).reduce((s, x) => s.add(x.costUsd), money("0"));

describe("computeBudgetStatus", () => {
  const base = { amountUsd: money("100"), thresholds: [0.5, 0.8, 1], period: "MONTHLY" as const };
  const status = (daily: ReturnType<typeof flat>, now: string, extra: Partial<typeof base> = {}) =>
    computeBudgetStatus({ ...base, ...extra, daily, spentUsd: spentOf(daily, now.slice(0, 8) + "01"), now: d(now) });

  it("forecasts at the run rate: $3 a day for 10 of 30 days is $90, OK, never exhausted this period, method named", () => {
    const s = status(flat("2026-11-01", "2026-11-10", "3"), "2026-11-11T00:00:00Z");
    expect(s.forecastUsd.toFixed(6)).toBe("90.000000");
    expect(s.forecastMethod).toBe("RUN_RATE");
    expect(s.utilization).toBeCloseTo(0.3, 12);
    expect(s.forecastUtilization).toBeCloseTo(0.9, 12);
    expect(s.state).toBe("OK");
    expect(s.exhaustsAt).toBeNull();
  });

  it("is AT_RISK when the forecast reaches the amount, and says when", () => {
    const s = status(flat("2026-11-01", "2026-11-10", "5"), "2026-11-11T00:00:00Z");
    expect(s.forecastUsd.toFixed(2)).toBe("150.00");
    expect(s.state).toBe("AT_RISK");
    // $5/day from 1 November reaches $100 at the end of day 20.
    expect(s.exhaustsAt).toEqual(d("2026-11-21T00:00:00Z"));
  });

  it("is AT_RISK when actual spend crossed the highest threshold although the forecast is below the amount", () => {
    const daily = [{ day: "2026-11-01", costUsd: money("71") }, ...flat("2026-11-02", "2026-11-28", "0")];
    const s = status(daily, "2026-11-29T00:00:00Z", { thresholds: [0.5, 0.7] });
    expect(s.forecastUtilization).toBeLessThan(1);
    expect(s.state).toBe("AT_RISK");
  });

  it("is EXCEEDED once spent reaches the amount exactly", () => {
    const daily = [{ day: "2026-11-01", costUsd: money("100.000000") }];
    expect(status(daily, "2026-11-29T00:00:00Z").state).toBe("EXCEEDED");
    // $99.999975 over 29 days: the last hour's expected spend takes the forecast past the amount.
    expect(status(flat("2026-11-01", "2026-11-29", "3.448275"), "2026-11-30T23:00:00Z").state).toBe("AT_RISK");
  });

  it("keeps money exact: no float artefacts in spent or forecast", () => {
    const daily = [
      { day: "2026-11-01", costUsd: money("0.1") },
      { day: "2026-11-02", costUsd: money("0.2") },
      ...flat("2026-11-03", "2026-11-10", "0"),
    ];
    const s = status(daily, "2026-11-11T00:00:00Z");
    expect(s.spentUsd.toString()).toBe("0.3");
    expect(s.forecastUsd.toString()).toBe("0.9");
  });

  it("20 hours of spend: no forecast (the spend so far, method INSUFFICIENT_DATA), so no 1,992.8% and no forecast alert", () => {
    // The case: $1 of a $100 budget spent over 20 hours of a new budget's first day.
    const s = status([{ day: "2026-11-01", costUsd: money("1.00") }], "2026-11-01T20:00:00Z");
    expect(s.forecastMethod).toBe("INSUFFICIENT_DATA");
    expect(s.forecastUsd.toFixed(2)).toBe("1.00");
    expect(s.forecastUtilization).toBeCloseTo(0.01, 12);
    expect([s.exhaustsAt, s.forecastLowUsd, s.forecastHighUsd]).toEqual([null, null, null]);
    expect(s.forecastFrom).toEqual(d("2026-11-04T00:00:00Z"));
    expect(s.state).toBe("OK");
    expect(alertsDue(base.thresholds, s)).toEqual([]);
  });

  it("nothing spent: zero forecast, OK, no exhaust date", () => {
    const s = status([], "2026-11-15T00:00:00Z");
    expect([s.forecastUsd.toString(), s.state, s.exhaustsAt]).toEqual(["0", "OK", null]);
  });
});

describe("alertsDue", () => {
  const status = (utilization: number, forecastUtilization: number, forecastMethod = "RUN_RATE" as const) => ({
    utilization,
    forecastUtilization,
    forecastMethod,
  });
  it("one forecast alert, for the highest threshold the forecast reaches, and actual alerts for each crossed", () => {
    expect(alertsDue([0.5, 0.8, 1], status(0.3, 1.2))).toEqual([{ kind: "THRESHOLD_FORECAST", threshold: 1 }]);
    expect(alertsDue([0.5, 0.8, 1], status(0.6, 0.9))).toEqual([
      { kind: "THRESHOLD_ACTUAL", threshold: 0.5 },
      { kind: "THRESHOLD_FORECAST", threshold: 0.8 },
    ]);
    expect(alertsDue([0.5, 0.8, 1], status(1, 1))).toEqual([
      { kind: "THRESHOLD_ACTUAL", threshold: 0.5 },
      { kind: "THRESHOLD_ACTUAL", threshold: 0.8 },
      { kind: "THRESHOLD_ACTUAL", threshold: 1 },
    ]);
  });
  it("no forecast alert without a forecast", () => {
    expect(alertsDue([0.5, 0.8, 1], { ...status(0.3, 20), forecastMethod: "INSUFFICIENT_DATA" })).toEqual([]);
  });
});

describe("thresholdProblem", () => {
  it("accepts ascending fractions and an empty list", () => {
    expect(thresholdProblem([0.5, 0.8, 1])).toBeNull();
    expect(thresholdProblem([])).toBeNull();
  });
  it("names what is wrong", () => {
    expect(thresholdProblem([0])).toMatch(/greater than 0/);
    expect(thresholdProblem([0.8, 0.5])).toMatch(/ascending/);
    expect(thresholdProblem([0.5, 0.5])).toMatch(/ascending/);
    expect(thresholdProblem([80])).toMatch(/fraction/);
    expect(thresholdProblem(Array.from({ length: 11 }, (_, i) => (i + 1) / 11))).toMatch(/at most 10/);
  });
});
