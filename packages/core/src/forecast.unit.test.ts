import { describe, expect, it } from "vitest";
import { MoneyDecimal } from "./decimal.ts";
import { FORECAST_METHOD_LABEL, forecastHistoryStart, forecastSpend } from "./forecast.ts";

const money = (s: string) => new MoneyDecimal(s);
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
const month = { start: new Date("2028-03-01T00:00:00Z"), end: new Date("2028-04-01T00:00:00Z") };

/** Weekdays cost $10, weekend days $2 (UTC), from `from` to the day before `now`. */
function weekly(from: string, now: string) {
  const days = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t < Date.parse(now.slice(0, 10) + "T00:00:00Z"); t += DAY) {
    const w = new Date(t).getUTCDay();
    days.push({ day: iso(t), costUsd: money(w === 0 || w === 6 ? "2" : "10") });
  }
  return days;
}
const sum = (days: { day: string; costUsd: InstanceType<typeof MoneyDecimal> }[], from: string) =>
  days.filter((d) => d.day >= from).reduce((s, d) => s.add(d.costUsd), money("0"));

describe("forecastSpend", () => {
  it("needs 3 days (or 5% of the period) of spend before it forecasts, and says from when", () => {
    const now = new Date("2028-03-03T20:00:00Z");
    const daily = [
      { day: "2028-03-02", costUsd: money("5") },
      { day: "2028-03-03", costUsd: money("4") },
    ];
    const f = forecastSpend({ period: month, now, spentUsd: money("9"), amountUsd: money("100"), daily });
    expect(f.method).toBe("INSUFFICIENT_DATA");
    expect(f.forecastUsd.toFixed()).toBe("9");
    expect(f.forecastFrom).toEqual(new Date("2028-03-05T00:00:00Z"));
    expect(f.description).toMatch(/needs 3 days of spend/);
    // A year needs 5% of it: 18.3 days.
    const year = { start: new Date("2028-01-01T00:00:00Z"), end: new Date("2029-01-01T00:00:00Z") };
    const y = forecastSpend({
      period: year,
      now: new Date("2028-01-11T00:00:00Z"),
      spentUsd: money("10"),
      amountUsd: money("100"),
      daily: weekly("2028-01-01", "2028-01-11"),
    });
    expect(y.method).toBe("INSUFFICIENT_DATA");
    expect(y.description).toMatch(/18\.3 days/);
  });

  it("is weekday-aware with two weeks of history: a weekend costs what weekends cost", () => {
    // Friday 2028-03-17 at midnight; history from 2028-02-20 (28 days back).
    const now = new Date("2028-03-17T00:00:00Z");
    const daily = weekly(forecastHistoryStart(now), now.toISOString());
    const spent = sum(daily, "2028-03-01");
    const f = forecastSpend({ period: month, now, spentUsd: spent, amountUsd: money("1000"), daily });
    expect(f.method).toBe("WEEKDAY_RUN_RATE");
    expect(FORECAST_METHOD_LABEL[f.method]).toBe("Weekday-aware run rate");
    // Rest of March from Fri 17th to Fri 31st: 11 weekdays × $10 + 4 weekend days × $2 = $118.
    expect(f.forecastUsd.sub(spent).toFixed(6)).toBe("118.000000");
    // No scatter around the weekday means: the range is the point.
    expect(f.lowUsd!.toFixed(6)).toBe(f.forecastUsd.toFixed(6));
    expect(f.highUsd!.toFixed(6)).toBe(f.forecastUsd.toFixed(6));
    // A flat run rate would have said 15 days × the mean ($7.71) = $115.7: the weekday method differs.
  });

  it("gives a range that holds the forecast and never goes under the spend, wider with noisier days", () => {
    const now = new Date("2028-03-11T12:00:00Z");
    const steady = Array.from({ length: 10 }, (_, i) => ({
      day: `2028-03-${String(i + 1).padStart(2, "0")}`,
      costUsd: money("10"),
    }));
    const noisy = steady.map((d, i) => ({ ...d, costUsd: money(i % 2 ? "2" : "18") }));
    const a = forecastSpend({ period: month, now, spentUsd: money("100"), amountUsd: money("1000"), daily: steady });
    const b = forecastSpend({ period: month, now, spentUsd: money("100"), amountUsd: money("1000"), daily: noisy });
    expect(a.method).toBe("RUN_RATE");
    expect(a.forecastUsd.toFixed(2)).toBe(b.forecastUsd.toFixed(2));
    expect(b.lowUsd!.lt(b.forecastUsd) && b.highUsd!.gt(b.forecastUsd)).toBe(true);
    expect(b.highUsd!.sub(b.lowUsd!).gt(a.highUsd!.sub(a.lowUsd!))).toBe(true);
    expect(b.lowUsd!.gte(money("100"))).toBe(true);
  });
});
