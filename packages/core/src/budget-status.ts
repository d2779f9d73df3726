import { MoneyDecimal, type Money } from "./decimal.ts";

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
  /** When spend at the current run rate reaches the amount; null when not within this period. */
  exhaustsAt: Date | null;
}

/**
 * The run rate is measured over at least this much of the period, so that the first minutes
 * of a month do not turn one request into a forecast of millions.
 */
const MIN_RUN_RATE_WINDOW_MS = 60 * 60 * 1000;

/**
 * Budget status as docs/ARCHITECTURE.md (flow 5) defines it: spent so far in the current calendar period;
 * forecast at the current run rate (spent / elapsed × period length); utilisation of the
 * amount, actual and forecast; EXCEEDED when spent ≥ amount, AT_RISK when the forecast
 * reaches the amount or actual spend has crossed the highest threshold, else OK; and the
 * moment the run rate reaches the amount, when that falls within the period.
 */
export function computeBudgetStatus(input: {
  amountUsd: Money;
  spentUsd: Money;
  thresholds: readonly number[];
  period: BudgetPeriodKind;
  now: Date;
}): BudgetStatusValue {
  const { start, end } = periodBounds(input.period, input.now);
  const amount = new MoneyDecimal(input.amountUsd);
  const spent = new MoneyDecimal(input.spentUsd);
  const lengthMs = end.getTime() - start.getTime();
  const elapsedMs = Math.min(lengthMs, Math.max(MIN_RUN_RATE_WINDOW_MS, input.now.getTime() - start.getTime()));
  const forecast = spent.mul(lengthMs).div(elapsedMs).toDecimalPlaces(6);
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

  let exhaustsAt: Date | null = null;
  if (spent.gt(0)) {
    const at = start.getTime() + amount.mul(elapsedMs).div(spent).toNumber();
    if (at < end.getTime()) exhaustsAt = new Date(Math.max(start.getTime(), Math.round(at)));
  }
  return {
    start,
    end,
    spentUsd: spent.toDecimalPlaces(6),
    forecastUsd: forecast,
    utilization,
    forecastUtilization,
    state,
    exhaustsAt,
  };
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
