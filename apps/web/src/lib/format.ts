// Number and date formatting as a finance person expects it: en-US, dollars with cents,
// percentages without needless decimals, dates in UTC (budget periods are UTC).

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 2 });
const usdSmall = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumSignificantDigits: 2, maximumSignificantDigits: 3 });

function toNumber(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined || value === "") return null;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** "$1,234.56"; "—" for no value. Decimal strings from the API are accepted as they are. */
export function formatMoney(value: string | number | null | undefined): string {
  const n = toNumber(value);
  if (n === null) return "—";
  return usd.format(Object.is(n, -0) ? 0 : n);
}

/**
 * A cost per million inferences: cents when it is a dollar or more, else enough significant
 * digits to tell versions apart ("$0.000094", "$0.0123", "$0.50").
 */
export function formatPerMillion(value: string | number | null | undefined): string {
  const n = toNumber(value);
  if (n === null) return "—";
  if (n === 0) return "$0.00";
  if (Math.abs(n) >= 1) return usd.format(n);
  return usdSmall.format(n);
}

/** A signed change in money: "+$12.00", "-$3.50", "$0.00". */
export function formatMoneyDelta(value: string | number | null | undefined): string {
  const n = toNumber(value);
  if (n === null) return "—";
  if (n === 0) return usd.format(0);
  return `${n > 0 ? "+" : "-"}${usd.format(Math.abs(n))}`;
}

/** A fraction as a percentage: 0.8 → "80%", 0.825 → "82.5%", 1.234 → "123.4%". */
export function formatPercent(fraction: number | null | undefined, maxDecimals = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return "—";
  const pct = fraction * 100;
  const rounded = Number(pct.toFixed(maxDecimals));
  return `${plainFormat(maxDecimals).format(Object.is(rounded, -0) ? 0 : rounded)}%`;
}

const plainFormats = new Map<number, Intl.NumberFormat>();
/** A plain en-US number format with up to `maxDecimals`: Intl formatters are slow to make, so each is made once. */
function plainFormat(maxDecimals: number): Intl.NumberFormat {
  let f = plainFormats.get(maxDecimals);
  if (!f) plainFormats.set(maxDecimals, (f = new Intl.NumberFormat("en-US", { maximumFractionDigits: maxDecimals })));
  return f;
}

/** An evaluation metric: accuracy as a percentage with two decimals, mse with 4 significant digits. */
export function formatMetric(metric: string | null | undefined, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  if (metric === "accuracy") return formatPercent(value, 2);
  return value.toPrecision(4).replace(/\.?0+$/, (m) => (m.startsWith(".") ? "" : m));
}

const units = ["B", "KB", "MB", "GB", "TB"];
/** 1536 → "1.5 KB" (binary multiples, one decimal). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "—";
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${i === 0 ? v : v.toFixed(1).replace(/\.0$/, "")} ${units[i]}`;
}

/** Latency: "0.13 ms", "12.4 ms", "1,204 ms". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  const digits = ms < 1 ? 2 : ms < 100 ? 1 : 0;
  return `${plainFormat(digits).format(ms)} ms`;
}

/** Plain counts: 12345.6 → "12,346". */
export function formatCount(n: number | null | undefined, maxDecimals = 0): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  return plainFormat(maxDecimals).format(n);
}

/** Throughput: "7,412/s". */
export function formatThroughput(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return "—";
  return `${formatCount(perSecond, perSecond < 10 ? 1 : 0)}/s`;
}

const dateFmt = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", year: "numeric", month: "short", day: "numeric" });
const dateTimeFmt = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false });
const shortDayFmt = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", month: "short", day: "numeric" });

/** "Nov 29, 2026" (UTC). */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "—" : dateFmt.format(d);
}

/** "Nov 29, 2026, 14:05 UTC". */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "—" : `${dateTimeFmt.format(d)} UTC`;
}

/** "Nov 29" (UTC), for chart axes. */
export function formatShortDay(iso: string | number): string {
  return shortDayFmt.format(new Date(iso));
}

/** Title case for enum values: "ML_ENGINEER" → "ML engineer", "AT_RISK" → "At risk". */
export function humanize(value: string | null | undefined): string {
  if (!value) return "—";
  const words = value.toLowerCase().split("_");
  const known: Record<string, string> = { ml: "ML", api: "API", usd: "USD" };
  return words.map((w, i) => known[w] ?? (i === 0 ? w[0]!.toUpperCase() + w.slice(1) : w)).join(" ");
}

/** "2 min 5 s", "850 ms", for durations. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${s % 60} s`;
}
