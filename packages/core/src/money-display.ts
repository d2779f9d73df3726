// Money and shares as people read them (the dashboard, e-mails, chat messages): en-US dollars
// with cents, and an amount under a cent that is not zero with enough significant digits to show
// it ("$0.000114", never "$0.00": a finance lead must not read spend as nothing).

const usd = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const usdSmall = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  minimumSignificantDigits: 2,
  maximumSignificantDigits: 3,
});
const pct = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

/** "$1,234.56", "$0.000114", "-$3.50"; "—" for no value. Decimal strings are read as they are. */
export function formatUsd(value: string | number | { toString(): string } | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  const n = typeof value === "number" ? value : Number(value.toString());
  if (!Number.isFinite(n)) return "—";
  if (n !== 0 && Math.abs(n) < 0.01) return `${n < 0 ? "-" : ""}${usdSmall.format(Math.abs(n))}`;
  return usd.format(Object.is(n, -0) ? 0 : n);
}

/** A fraction as a percentage with at most one decimal: 0.8 → "80%", 19.928 → "1,992.8%". */
export function formatShare(fraction: number): string {
  if (!Number.isFinite(fraction)) return "—";
  const rounded = Number((fraction * 100).toFixed(1));
  return `${pct.format(Object.is(rounded, -0) ? 0 : rounded)}%`;
}
