// What a version costs to serve, by the project's rules (docs/ARCHITECTURE.md, "Cost of a version").
import { MoneyDecimal, type Money } from "./decimal.ts";

/**
 * What `requests` inferences cost at `costPerMillionUsd`: requests × $/1M ÷ 1e6, a Decimal
 * rounded half-even to 6 decimals. The one definition; `requestsCost` is its exact integer fast
 * path for recording usage (same result).
 */
export function costOfRequests(requests: bigint | number | string, costPerMillionUsd: Money | string): Money {
  return new MoneyDecimal(requests.toString()).mul(costPerMillionUsd).div(1_000_000).toDecimalPlaces(6);
}

/** A cost measurement as far as choosing the current price goes. */
export interface MeasuredPrice {
  versionId: string;
  hardwareProfileId: string;
  measuredAt: Date;
}

/**
 * The current price among measurements: the latest by measuredAt (a version is re-measured, per
 * hardware profile; older rows stay as history). Undefined when there is none.
 */
export function latestMeasurement<T extends Pick<MeasuredPrice, "measuredAt">>(rows: readonly T[]): T | undefined {
  let latest: T | undefined;
  for (const row of rows) if (!latest || row.measuredAt.getTime() > latest.measuredAt.getTime()) latest = row;
  return latest;
}

/** The key of a (version, hardware profile) pair in the maps below. */
export const pricePairKey = (versionId: string, hardwareProfileId: string): string =>
  `${versionId}\u0000${hardwareProfileId}`;

/** The current price of each (version, hardware profile) pair present in `rows`, by pricePairKey. */
export function latestMeasurementByPair<T extends MeasuredPrice>(rows: readonly T[]): Map<string, T> {
  const latest = new Map<string, T>();
  for (const row of rows) {
    const key = pricePairKey(row.versionId, row.hardwareProfileId);
    const seen = latest.get(key);
    if (!seen || row.measuredAt.getTime() > seen.measuredAt.getTime()) latest.set(key, row);
  }
  return latest;
}
