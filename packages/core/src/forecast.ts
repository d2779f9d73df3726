import { MoneyDecimal, type Money } from "./decimal.ts";

/**
 * The spend forecast of a budget period, once for the API, the worker's alerts and the dashboard.
 *
 * Method: a weekday-aware run rate. The days observed are the full UTC days from the first day
 * with spend in the last LOOKBACK_DAYS up to yesterday. With at least two of every weekday
 * (WEEKDAY_RUN_RATE), each remaining day of the period is expected to cost the mean of its
 * weekday's observed days; with fewer (RUN_RATE), the mean of all observed days. The rest of
 * today is today's expected rate times the share of today left. forecast = spent + expected rest.
 * The range is ±1.96 standard errors of that rest: the days' scatter around their expectation
 * (residual variance σ²), over n remaining days plus the uncertainty of the rate itself
 * (n·σ² + n²·σ²/m for m observed days); low is never below what is spent.
 *
 * Minimum data: no forecast until spend has been observed for MIN_DAYS (3) days or 5% of the
 * period, whichever is longer (a month: 3 days; a quarter: 4.5 days; a year: 18.3 days). Until
 * then the method is INSUFFICIENT_DATA, the forecast is the spend so far (no range, no
 * exhaustion date), so no forecast alert can fire: 20 hours of spend never become "1,992.8%".
 */
export type ForecastMethod = "WEEKDAY_RUN_RATE" | "RUN_RATE" | "INSUFFICIENT_DATA";

const FORECAST_MIN_DAYS = 3;
const FORECAST_MIN_PERIOD_SHARE = 0.05;
/** Days of history the run rate looks back on (across the period's start). */
const FORECAST_LOOKBACK_DAYS = 28;
const WEEKDAY_MIN_PER_DAY = 2;
const Z95 = 1.96;
const DAY_MS = 86_400_000;

/** How the forecast is named next to the number. */
export const FORECAST_METHOD_LABEL: Record<ForecastMethod, string> = {
  WEEKDAY_RUN_RATE: "Weekday-aware run rate",
  RUN_RATE: "Run rate",
  INSUFFICIENT_DATA: "Not enough data yet",
};

export interface DailySpend {
  /** 'YYYY-MM-DD' (UTC). */
  day: string;
  costUsd: Money;
}

export interface SpendForecast {
  method: ForecastMethod;
  /** A sentence saying how the number was made (or when a forecast starts). */
  description: string;
  forecastUsd: Money;
  /** 95% range; null while INSUFFICIENT_DATA. */
  lowUsd: Money | null;
  highUsd: Money | null;
  /** When the expected spend reaches `amountUsd` within the period; null otherwise or without a forecast. */
  exhaustsAt: Date | null;
  /** When there will be enough data to forecast (null once there is). */
  forecastFrom: Date | null;
}

const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);
const dayStart = (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());

/** The first day of history a forecast at `now` reads ('YYYY-MM-DD'). */
export const forecastHistoryStart = (now: Date): string => isoDay(dayStart(now) - FORECAST_LOOKBACK_DAYS * DAY_MS);

export function forecastSpend(input: {
  period: { start: Date; end: Date };
  now: Date;
  /** Spend in the current period up to now. */
  spentUsd: Money;
  amountUsd: Money;
  /**
   * Daily spend through today, from forecastHistoryStart(now) or the period's start, whichever is
   * earlier (days without spend may be left out; older days do not count).
   */
  daily: readonly DailySpend[];
}): SpendForecast {
  const reached = reachedAt(input);
  if (reached) return { ...forecastRest(input), exhaustsAt: reached };
  return forecastRest(input);
}

/** Once spent ≥ amount: the end of the day whose spend took the period's cumulative spend to the amount (at most now). */
function reachedAt(input: {
  period: { start: Date };
  now: Date;
  spentUsd: Money;
  amountUsd: Money;
  daily: readonly DailySpend[];
}): Date | null {
  const amount = new MoneyDecimal(input.amountUsd);
  if (new MoneyDecimal(input.spentUsd).lt(amount)) return null;
  const start = isoDay(input.period.start.getTime());
  let cumulative: Money = new MoneyDecimal(0);
  for (const d of [...input.daily].filter((x) => x.day >= start).sort((a, b) => (a.day < b.day ? -1 : 1))) {
    cumulative = cumulative.add(d.costUsd);
    if (cumulative.gte(amount))
      return new Date(Math.min(input.now.getTime(), Date.parse(`${d.day}T00:00:00Z`) + DAY_MS));
  }
  return null;
}

function forecastRest(input: {
  period: { start: Date; end: Date };
  now: Date;
  spentUsd: Money;
  amountUsd: Money;
  daily: readonly DailySpend[];
}): SpendForecast {
  const { period, now } = input;
  const spent = new MoneyDecimal(input.spentUsd).toDecimalPlaces(6);
  const today = dayStart(now);
  const nowMs = Math.min(now.getTime(), period.end.getTime());
  const history = forecastHistoryStart(now);
  const recent = input.daily.filter((d) => d.day >= history);
  const byDay = new Map(recent.map((d) => [d.day, new MoneyDecimal(d.costUsd)]));
  const firstSpend = recent
    .filter((d) => !new MoneyDecimal(d.costUsd).isZero())
    .map((d) => Date.parse(`${d.day}T00:00:00Z`))
    .reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  const minMs = Math.max(
    FORECAST_MIN_DAYS * DAY_MS,
    FORECAST_MIN_PERIOD_SHARE * (period.end.getTime() - period.start.getTime()),
  );

  if (!Number.isFinite(firstSpend) || now.getTime() - firstSpend < minMs || today <= firstSpend) {
    const from = Number.isFinite(firstSpend) ? new Date(firstSpend + minMs) : null;
    return {
      method: "INSUFFICIENT_DATA",
      description: from
        ? `Not enough data yet: a forecast needs ${describeMin(minMs)} of spend (from ${from.toISOString().slice(0, 16).replace("T", " ")} UTC)`
        : `Not enough data yet: a forecast needs ${describeMin(minMs)} of spend`,
      forecastUsd: spent,
      lowUsd: null,
      highUsd: null,
      exhaustsAt: null,
      forecastFrom: from,
    };
  }

  // Observed full days: first day with spend .. yesterday.
  const observed: { weekday: number; cost: Money }[] = [];
  for (let t = firstSpend; t < today; t += DAY_MS)
    observed.push({ weekday: new Date(t).getUTCDay(), cost: byDay.get(isoDay(t)) ?? new MoneyDecimal(0) });
  const m = observed.length;
  const mean = (xs: Money[]) => xs.reduce<Money>((s, x) => s.add(x), new MoneyDecimal(0)).div(xs.length);
  const overall = mean(observed.map((o) => o.cost));
  const perWeekday = Array.from({ length: 7 }, (_, w) => observed.filter((o) => o.weekday === w).map((o) => o.cost));
  const weekdayAware = perWeekday.every((xs) => xs.length >= WEEKDAY_MIN_PER_DAY);
  const rates = perWeekday.map((xs) => (weekdayAware ? mean(xs) : overall));
  const rateOf = (t: number) => rates[new Date(t).getUTCDay()]!;

  // Residual variance around the expectation (float statistics; money stays Decimal).
  const params = weekdayAware ? 7 : 1;
  const ss = observed.reduce((s, o) => s + (o.cost.toNumber() - rates[o.weekday]!.toNumber()) ** 2, 0);
  const variance = ss / Math.max(1, m - params);

  // The rest of the period: the rest of today, then each full day.
  const end = period.end.getTime();
  const slices: { from: number; to: number; rate: Money }[] = [];
  if (nowMs < end) {
    slices.push({ from: nowMs, to: Math.min(end, today + DAY_MS), rate: rateOf(today) });
    for (let t = today + DAY_MS; t < end; t += DAY_MS)
      slices.push({ from: t, to: Math.min(end, t + DAY_MS), rate: rateOf(t) });
  }
  let rest: Money = new MoneyDecimal(0);
  let n = 0;
  for (const s of slices) {
    const share = (s.to - s.from) / DAY_MS;
    rest = rest.add(s.rate.mul(share));
    n += share;
  }
  const forecast = spent.add(rest).toDecimalPlaces(6);
  const half = new MoneyDecimal(Z95 * Math.sqrt(n * variance + (n * n * variance) / m)).toDecimalPlaces(6);
  const low = MoneyDecimal.max(spent, forecast.sub(half)).toDecimalPlaces(6);
  const high = forecast.add(half).toDecimalPlaces(6);

  // When the expected spend reaches the amount (within a day, linearly).
  let exhaustsAt: Date | null = null;
  const amount = new MoneyDecimal(input.amountUsd);
  let cumulative: Money = spent;
  if (cumulative.lt(amount)) {
    for (const s of slices) {
      const add = s.rate.mul((s.to - s.from) / DAY_MS);
      if (add.gt(0) && cumulative.add(add).gte(amount)) {
        const frac = amount.sub(cumulative).div(add).toNumber();
        exhaustsAt = new Date(Math.round(s.from + frac * (s.to - s.from)));
        break;
      }
      cumulative = cumulative.add(add);
    }
  }
  const method: ForecastMethod = weekdayAware ? "WEEKDAY_RUN_RATE" : "RUN_RATE";
  return {
    method,
    description: weekdayAware
      ? `Weekday-aware run rate: each remaining day at the mean of its weekday over the last ${m} days; 95% range`
      : `Run rate: each remaining day at the mean of the last ${m} days (weekday-aware from 14 days); 95% range`,
    forecastUsd: forecast,
    lowUsd: low,
    highUsd: high,
    exhaustsAt,
    forecastFrom: null,
  };
}

function describeMin(ms: number): string {
  const days = ms / DAY_MS;
  return Number.isInteger(days) ? `${days} days` : `${days.toFixed(1)} days`;
}
