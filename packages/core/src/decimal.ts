import Decimal from "decimal.js";

/** Money is Decimal end to end: at most 6 decimals, never a float. */
export const MoneyDecimal = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });
export type Money = InstanceType<typeof MoneyDecimal>;

const MONEY_RE = /^-?\d{1,14}(\.\d{1,6})?$/;

/** Parses a contract Decimal string ("12.50"); refuses floats' artefacts, exponents and >6 decimals. */
export function parseMoney(input: unknown, field = "value"): Money {
  if (typeof input !== "string" || !MONEY_RE.test(input.trim())) {
    throw new TypeError(`${field} must be a decimal string with at most 6 decimals, like "12.50" (got ${JSON.stringify(input)})`);
  }
  return new MoneyDecimal(input.trim());
}

/** Formats money for the API: fixed 6 decimals trimmed of trailing zeros but keeping two ("12.50"). */
export function formatMoney(value: { toString(): string } | number | string): string {
  const d = new MoneyDecimal(value.toString()).toDecimalPlaces(6);
  const fixed = d.toFixed(6);
  const trimmed = fixed.replace(/0+$/, "");
  const [int, frac = ""] = trimmed.split(".");
  return `${int}.${frac.padEnd(2, "0")}`;
}
