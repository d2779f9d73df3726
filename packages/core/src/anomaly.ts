import { MoneyDecimal, type Money } from "./decimal.ts";

/**
 * Spend anomalies of a model, one day at a time: the day's spend against a weekday-aware
 * expectation, and the difference split into a price effect and a volume effect.
 *
 * Expectation of day D, from the BASELINE_DAYS before it (from the model's first day of traffic):
 * - volume V₀: the median of the requests of D's weekday in the baseline when it holds at least
 *   two of them, else the median of all baseline days (medians: one spike does not move next
 *   week's expectation);
 * - price p₀: the $ per inference of the last baseline day with traffic (prices move in steps,
 *   at promotions and re-measurements, not with the season);
 * - expected = V₀ × p₀; the range is ± max(3 robust standard deviations of the baseline's volume
 *   around its expectation (1.4826 × MAD), 10% of V₀) × p₀, and at least MIN_DEVIATION_USD.
 * Outside it, D is an anomaly. With V₁, p₁ the day's volume and price (actual = V₁ × p₁):
 *   priceEffect  = (p₁ − p₀) × V₁  = actual − p₀·V₁
 *   volumeEffect = (V₁ − V₀) × p₀  = p₀·V₁ − expected
 * which add up to actual − expected exactly (each rounded to 6 decimals from the same p₀·V₁).
 * No verdict before MIN_BASELINE_DAYS (14: two of every weekday) of history.
 */
export const ANOMALY_BASELINE_DAYS = 28;
const ANOMALY_MIN_BASELINE_DAYS = 14;
const MIN_RELATIVE_BAND = 0.1;
const ROBUST_SIGMAS = 3;
/** A deviation smaller than this is never an anomaly (pennies are noise to finance). */
const MIN_DEVIATION_USD = "0.01";
const DAY_MS = 86_400_000;

export interface DayTraffic {
  /** 'YYYY-MM-DD' (UTC). */
  day: string;
  requests: bigint;
  costUsd: Money;
}

export interface DayAssessment {
  day: string;
  expectedUsd: Money;
  lowUsd: Money;
  highUsd: Money;
  actualUsd: Money;
  expectedRequests: bigint;
  actualRequests: bigint;
  priceEffectUsd: Money;
  volumeEffectUsd: Money;
  anomaly: boolean;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);
const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

/**
 * Assesses `day` given the model's daily traffic (any days; those of the baseline are read, days
 * without a row count as zero after the first day of traffic). Null when there is too little history.
 */
export function assessDay(traffic: readonly DayTraffic[], day: string): DayAssessment | null {
  const byDay = new Map(traffic.map((t) => [t.day, t]));
  const d = dayMs(day);
  const first = traffic
    .filter((t) => t.requests > 0n && dayMs(t.day) < d)
    .reduce((min, t) => Math.min(min, dayMs(t.day)), Number.POSITIVE_INFINITY);
  const from = Math.max(first, d - ANOMALY_BASELINE_DAYS * DAY_MS);
  if (!Number.isFinite(first) || (d - from) / DAY_MS < ANOMALY_MIN_BASELINE_DAYS) return null;

  const baseline: { weekday: number; requests: number; row: DayTraffic | undefined }[] = [];
  for (let t = from; t < d; t += DAY_MS) {
    const row = byDay.get(isoDay(t));
    baseline.push({ weekday: new Date(t).getUTCDay(), requests: Number(row?.requests ?? 0n), row });
  }
  const lastPriced = [...baseline].reverse().find((b) => b.row && b.row.requests > 0n)!.row!;
  const p0 = new MoneyDecimal(lastPriced.costUsd).div(lastPriced.requests.toString());

  const expectedOf = (weekday: number): number => {
    const same = baseline.filter((b) => b.weekday === weekday).map((b) => b.requests);
    return same.length >= 2 ? median(same) : median(baseline.map((b) => b.requests));
  };
  const weekday = new Date(d).getUTCDay();
  const v0 = Math.round(expectedOf(weekday));
  const sigma = 1.4826 * median(baseline.map((b) => Math.abs(b.requests - expectedOf(b.weekday))));
  const bandRequests = Math.max(ROBUST_SIGMAS * sigma, MIN_RELATIVE_BAND * v0);

  const today = byDay.get(day);
  const v1 = today?.requests ?? 0n;
  const actual = new MoneyDecimal(today?.costUsd ?? 0).toDecimalPlaces(6);
  const expected = p0.mul(v0).toDecimalPlaces(6);
  const band = MoneyDecimal.max(p0.mul(bandRequests), MIN_DEVIATION_USD).toDecimalPlaces(6);
  const atExpectedPrice = p0.mul(v1.toString()).toDecimalPlaces(6);
  const deviation = actual.sub(expected);
  return {
    day,
    expectedUsd: expected,
    lowUsd: MoneyDecimal.max(0, expected.sub(band)),
    highUsd: expected.add(band),
    actualUsd: actual,
    expectedRequests: BigInt(v0),
    actualRequests: v1,
    priceEffectUsd: actual.sub(atExpectedPrice),
    volumeEffectUsd: atExpectedPrice.sub(expected),
    anomaly: deviation.abs().gt(band),
  };
}
