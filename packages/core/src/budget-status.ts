import { MoneyDecimal, type Money } from "./decimal.ts";
import { forecastSpend, type DailySpend, type ForecastMethod } from "./forecast.ts";

export type BudgetPeriodKind = "MONTHLY" | "QUARTERLY" | "YEARLY";
type BudgetStateName = "OK" | "AT_RISK" | "EXCEEDED";

export interface PeriodBounds {
  /** Inclusive, midnight UTC on the period's first day. */
  start: Date;
  /** Exclusive: the next period's start. */
  end: Date;
}

const MONTHS: Record<BudgetPeriodKind, number> = { MONTHLY: 1, QUARTERLY: 3, YEARLY: 12 };

/** The calendar period (UTC) of kind `period` that contains `at`: months, quarters starting Jan/Apr/Jul/Oct, years. */
export function periodBounds(period: BudgetPeriodKind, at: Date): PeriodBounds {
  const months = MONTHS[period];
  const year = at.getUTCFullYear();
  const firstMonth = Math.floor(at.getUTCMonth() / months) * months;
  return { start: new Date(Date.UTC(year, firstMonth, 1)), end: new Date(Date.UTC(year, firstMonth + months, 1)) };
}

export interface BudgetStatusValue extends PeriodBounds {
  spentUsd: Money;
  forecastUsd: Money;
  utilization: number;
  forecastUtilization: number;
  state: BudgetStateName;
  /** When the expected spend reaches the amount; null when not within this period (or no forecast yet). */
  exhaustsAt: Date | null;
  /** How the forecast was made (forecast.ts), its 95% range, and when a forecast starts while there is too little data. */
  forecastMethod: ForecastMethod;
  forecastDescription: string;
  forecastLowUsd: Money | null;
  forecastHighUsd: Money | null;
  forecastFrom: Date | null;
}

/**
 * Budget status as docs/BUDGETS.md defines it: spent so far in the current calendar period; the
 * forecast of forecast.ts (weekday-aware run rate with a range, none before the minimum of data,
 * when it is the spend so far); utilisation of the amount, actual and forecast; EXCEEDED when
 * spent ≥ amount, AT_RISK when the forecast reaches the amount or actual spend has crossed the
 * highest threshold, else OK; and when the expected spend reaches the amount, within the period.
 */
export function computeBudgetStatus(input: {
  amountUsd: Money;
  spentUsd: Money;
  thresholds: readonly number[];
  period: BudgetPeriodKind;
  now: Date;
  /** Daily spend of the budget's scope from forecastHistoryStart(now) through today. */
  daily: readonly DailySpend[];
}): BudgetStatusValue {
  const { start, end } = periodBounds(input.period, input.now);
  const amount = new MoneyDecimal(input.amountUsd);
  const spent = new MoneyDecimal(input.spentUsd);
  const f = forecastSpend({
    period: { start, end },
    now: input.now,
    spentUsd: spent,
    amountUsd: amount,
    daily: input.daily,
  });
  const forecast = f.forecastUsd;
  const ratio = (x: Money) =>
    amount.isZero() ? (x.isZero() ? 0 : Number.POSITIVE_INFINITY) : x.div(amount).toNumber();
  const utilization = ratio(spent);
  const forecastUtilization = ratio(forecast);
  const highest = input.thresholds.length ? Math.max(...input.thresholds) : Number.POSITIVE_INFINITY;
  const state: BudgetStateName = spent.gte(amount)
    ? "EXCEEDED"
    : forecast.gte(amount) || utilization >= highest
      ? "AT_RISK"
      : "OK";
  return {
    start,
    end,
    spentUsd: spent.toDecimalPlaces(6),
    forecastUsd: forecast,
    utilization,
    forecastUtilization,
    state,
    exhaustsAt: f.exhaustsAt,
    forecastMethod: f.method,
    forecastDescription: f.description,
    forecastLowUsd: f.lowUsd,
    forecastHighUsd: f.highUsd,
    forecastFrom: f.forecastFrom,
  };
}

export type AlertKindName = "THRESHOLD_ACTUAL" | "THRESHOLD_FORECAST";

/**
 * The alerts a status calls for: THRESHOLD_ACTUAL for every threshold spend has reached; and
 * THRESHOLD_FORECAST for the highest threshold the forecast reaches that spend has not (one early
 * warning per check: a forecast of 120% says it will pass 80% too), only once there is a forecast
 * (never while INSUFFICIENT_DATA). Spend past t makes t's forecast alert redundant: one alert per crossing.
 */
export function alertsDue(
  thresholds: readonly number[],
  status: Pick<BudgetStatusValue, "utilization" | "forecastUtilization" | "forecastMethod">,
): { kind: AlertKindName; threshold: number }[] {
  const due: { kind: AlertKindName; threshold: number }[] = thresholds
    .filter((t) => status.utilization >= t)
    .map((threshold) => ({ kind: "THRESHOLD_ACTUAL", threshold }));
  if (status.forecastMethod !== "INSUFFICIENT_DATA") {
    const ahead = thresholds.filter((t) => status.utilization < t && status.forecastUtilization >= t);
    if (ahead.length) due.push({ kind: "THRESHOLD_FORECAST", threshold: Math.max(...ahead) });
  }
  return due;
}

/** Alert thresholds: fractions of the amount, 0 < t, strictly ascending, at most 10 (e.g. [0.5, 0.8, 1]). */
/** At most this many alert thresholds per budget. */
export const MAX_ALERT_THRESHOLDS = 10;
/** The highest alert threshold, as a fraction of the amount (10 = 1000%). */
const MAX_ALERT_THRESHOLD = 10;

export function thresholdProblem(thresholds: readonly number[]): string | null {
  if (thresholds.length > MAX_ALERT_THRESHOLDS)
    return `at most ${MAX_ALERT_THRESHOLDS} alert thresholds (got ${thresholds.length})`;
  for (const [i, t] of thresholds.entries()) {
    if (!Number.isFinite(t) || t <= 0)
      return `alert threshold ${t} must be a fraction greater than 0 (e.g. 0.8 for 80%)`;
    if (t > MAX_ALERT_THRESHOLD)
      return `alert threshold ${t} is a fraction of the amount: ${t} means ${t * 100}%; use at most ${MAX_ALERT_THRESHOLD}`;
    if (i > 0 && t <= (thresholds[i - 1] as number))
      return `alert thresholds must be strictly ascending (${thresholds[i - 1]} then ${t})`;
  }
  return null;
}
