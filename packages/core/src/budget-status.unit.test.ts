import { describe, expect, it } from "vitest";
import { MoneyDecimal } from "./decimal.ts";
import { computeBudgetStatus, periodBounds, thresholdProblem } from "./budget-status.ts";

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

describe("computeBudgetStatus", () => {
  const base = { amountUsd: money("100"), thresholds: [0.5, 0.8, 1], period: "MONTHLY" as const };

  it("forecasts at the run rate: $30 after 10 of 30 days is $90, OK, never exhausted this period", () => {
    const s = computeBudgetStatus({ ...base, spentUsd: money("30"), now: d("2026-11-11T00:00:00Z") });
    expect(s.forecastUsd.toFixed(6)).toBe("90.000000");
    expect(s.utilization).toBeCloseTo(0.3, 12);
    expect(s.forecastUtilization).toBeCloseTo(0.9, 12);
    expect(s.state).toBe("OK");
    expect(s.exhaustsAt).toBeNull();
  });

  it("is AT_RISK when the forecast reaches the amount, and says when", () => {
    const s = computeBudgetStatus({ ...base, spentUsd: money("50"), now: d("2026-11-11T00:00:00Z") });
    expect(s.forecastUsd.toFixed(2)).toBe("150.00");
    expect(s.state).toBe("AT_RISK");
    // $5/day from 1 November reaches $100 on day 20.
    expect(s.exhaustsAt).toEqual(d("2026-11-21T00:00:00Z"));
  });

  it("is AT_RISK when actual spend crossed the highest threshold although the forecast is below the amount", () => {
    const s = computeBudgetStatus({
      ...base,
      thresholds: [0.5, 0.7],
      spentUsd: money("71"),
      now: d("2026-11-29T00:00:00Z"),
    });
    expect(s.forecastUtilization).toBeLessThan(1);
    expect(s.state).toBe("AT_RISK");
  });

  it("is EXCEEDED once spent reaches the amount exactly", () => {
    expect(computeBudgetStatus({ ...base, spentUsd: money("100.000000"), now: d("2026-11-29T00:00:00Z") }).state).toBe(
      "EXCEEDED",
    );
    expect(computeBudgetStatus({ ...base, spentUsd: money("99.999999"), now: d("2026-11-30T23:00:00Z") }).state).toBe(
      "AT_RISK",
    );
  });

  it("keeps money exact: no float artefacts in spent or forecast", () => {
    const s = computeBudgetStatus({ ...base, spentUsd: money("0.1").plus("0.2"), now: d("2026-11-16T00:00:00Z") });
    expect(s.spentUsd.toString()).toBe("0.3");
    expect(s.forecastUsd.toString()).toBe("0.6");
  });

  it("measures the run rate over at least an hour at the very start of a period", () => {
    const s = computeBudgetStatus({ ...base, spentUsd: money("0.01"), now: d("2026-11-01T00:00:01Z") });
    expect(s.forecastUsd.toFixed(2)).toBe("7.20"); // $0.01/h × 720 h
  });

  it("nothing spent: zero forecast, OK, no exhaust date", () => {
    const s = computeBudgetStatus({ ...base, spentUsd: money("0"), now: d("2026-11-15T00:00:00Z") });
    expect([s.forecastUsd.toString(), s.state, s.exhaustsAt]).toEqual(["0", "OK", null]);
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
