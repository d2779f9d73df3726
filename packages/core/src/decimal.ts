import Decimal from "decimal.js";

/** Money is Decimal end to end: at most 6 decimals, never a float. */
export const MoneyDecimal = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });
export type Money = InstanceType<typeof MoneyDecimal>;

const MONEY_RE = /^-?\d{1,14}(\.\d{1,6})?$/;

/** Parses a contract Decimal string ("12.50"); refuses floats' artefacts, exponents and >6 decimals. */
export function parseMoney(input: unknown, field = "value"): Money {
  if (typeof input !== "string" || !MONEY_RE.test(input.trim())) {
    throw new TypeError(
      `${field} must be a decimal string with at most 6 decimals, like "12.50" (got ${JSON.stringify(input)})`,
    );
  }
  return new MoneyDecimal(input.trim());
}

/** A plain decimal string with at most 6 decimals, as PostgreSQL's numeric(20,6) sums come: no rounding needed. */
const PLAIN_MONEY_RE = /^(-?)(0|[1-9]\d*)(?:\.(\d{1,6}))?$/;

/** Formats money for the API: fixed 6 decimals trimmed of trailing zeros but keeping two ("12.50"). */
export function formatMoney(value: { toString(): string } | number | string): string {
  // The same text without a Decimal for the common case (a breakdown serialises thousands).
  const plain = typeof value === "string" ? PLAIN_MONEY_RE.exec(value) : null;
  const negativeZero = plain !== null && plain[1] === "-" && /^0(\.0*)?$/.test(value.toString().slice(1));
  if (plain && !negativeZero) return `${plain[1]}${plain[2]}.${(plain[3] ?? "").replace(/0+$/, "").padEnd(2, "0")}`;
  const d = new MoneyDecimal(value.toString()).toDecimalPlaces(6);
  const fixed = d.toFixed(6);
  const trimmed = fixed.replace(/0+$/, "");
  const [int, frac = ""] = trimmed.split(".");
  return `${int}.${frac.padEnd(2, "0")}`;
}

const MICROS = 1_000_000n;

/** A price with at most 6 decimals in millionths of a dollar (an exact integer), to pass to requestsCost many times. */
export const toMicros = (usd: Money | string): bigint =>
  BigInt(new MoneyDecimal(usd).mul(1_000_000).toFixed(0, MoneyDecimal.ROUND_HALF_EVEN));

/**
 * Cost of `requests` inferences at `costPerMillionUsd` (at most 6 decimals): requests × price
 * / 1e6, rounded half-even to the cent-millionth, as a Decimal string with 6 decimals. Exact
 * integer arithmetic in millionths of a dollar: the same result as MoneyDecimal, about twenty
 * times faster, which matters at 10,000 records per call.
 */
export function requestsCost(requests: number, costPerMillionUsd: Money | string | bigint): string {
  if (!Number.isSafeInteger(requests) || requests < 0)
    throw new RangeError(`requests must be a whole number ≥ 0 (got ${requests})`);
  const micros = typeof costPerMillionUsd === "bigint" ? costPerMillionUsd : toMicros(costPerMillionUsd);
  const scaled = BigInt(requests) * micros; // price per request × 1e12
  let q = scaled / MICROS;
  const r = scaled % MICROS;
  if (r * 2n > MICROS || (r * 2n === MICROS && q % 2n === 1n)) q += 1n;
  const digits = q.toString().padStart(7, "0");
  return `${digits.slice(0, -6)}.${digits.slice(-6)}`;
}
