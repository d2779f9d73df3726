// Number and date formatting as a finance person expects it: en-US, dollars with cents,
// percentages without needless decimals, dates in UTC (budget periods are UTC).
import { formatUsd } from "@costgate/core";

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

function toNumber(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined || value === "") return null;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/**
 * "$1,234.56"; "—" for no value. Decimal strings from the API are accepted as they are. The rule
 * (tiny amounts keep significant digits, never "$0.00") is core's formatUsd, which e-mails and chat
 * messages use too.
 */
export function formatMoney(value: string | number | null | undefined): string {
  return formatUsd(value);
}

/**
 * A tick on a dollar axis whose ticks are `step` apart: as many decimals as the step needs and no
 * more (step 0.25 → "$0.25", step 0.0002 → "$0.0006", step 500 → "$1,500"), so neighbouring
 * ticks never read the same and a tiny axis is not a column of "$0.00".
 */
export function formatMoneyTick(value: number, step: number): string {
  const s = Math.abs(step);
  let decimals = 0;
  while (decimals < 8 && Number.isFinite(s) && s > 0) {
    const scaled = s * 10 ** decimals;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) break;
    decimals += 1;
  }
  if (s > 0 && s < 1) decimals = Math.max(2, decimals);
  let f = tickFormats.get(decimals);
  if (!f)
    tickFormats.set(
      decimals,
      (f = new Intl.NumberFormat("en-US", {
        style: "currency",
        currency: "USD",
        minimumFractionDigits: decimals,
        maximumFractionDigits: decimals,
      })),
    );
  return f.format(Object.is(value, -0) || Math.abs(value) < s * 1e-9 ? 0 : value);
}
const tickFormats = new Map<number, Intl.NumberFormat>();

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

/**
 * Money that can be tiny (savings and spend of a few inferences): cents from a cent up, else
 * enough significant digits to show it is not zero ("$0.000513", not "$0.00").
 */
export function formatMoneyPrecise(value: string | number | null | undefined): string {
  return formatMoney(value);
}

/** A signed change in money that can be tiny: "+$0.000513", "-$3.50", "$0.00". */
export function formatMoneyDeltaPrecise(value: string | number | null | undefined): string {
  const n = toNumber(value);
  if (n === null) return "—";
  if (n === 0) return usd.format(0);
  return `${n > 0 ? "+" : "-"}${formatMoneyPrecise(Math.abs(n))}`;
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

/**
 * An evaluation metric: accuracy and agreement (with the source version, on unlabeled inputs) as a
 * percentage with two decimals, mse with 4 significant digits.
 */
export function formatMetric(metric: string | null | undefined, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  if (metric === "accuracy" || metric === "agreement") return formatPercent(value, 2);
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
const dateTimeFmt = new Intl.DateTimeFormat("en-US", {
  timeZone: "UTC",
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
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

/** Enum values whose words are hyphenated in English. */
const PHRASES: Record<string, string> = { FINE_TUNE: "Fine-tune", AUTO_OPTIMIZE: "Auto-optimize" };

/** A metric's name as a column header: "accuracy" → "Accuracy", "mse" → "MSE". */
export function metricLabel(metric: string | null | undefined): string {
  if (!metric) return "Metric";
  if (metric === "agreement") return "Agreement with source";
  if (metric === "mse") return "MSE";
  return metric.charAt(0).toUpperCase() + metric.slice(1);
}

/** Title case for enum values: "ML_ENGINEER" → "ML engineer", "AT_RISK" → "At risk". */
export function humanize(value: string | null | undefined): string {
  if (!value) return "—";
  const phrase = PHRASES[value];
  if (phrase) return phrase;
  const words = value.toLowerCase().split("_");
  const known: Record<string, string> = { ml: "ML", api: "API", usd: "USD" };
  return words.map((w, i) => known[w] ?? (i === 0 ? w[0]!.toUpperCase() + w.slice(1) : w)).join(" ");
}

/**
 * How long something took or has been going on, as people say it: "under a second", "45 s",
 * "3 min", "2 h 5 min", "2 d 2 h" (rounded down: a wait of 3 min 50 s is "3 min").
 */
export function formatElapsed(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return "under a second";
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** When something due happens, from `now`: "in 30 s", "in 20 min"; "now" once it is due. */
export function formatDueIn(iso: string, now = Date.now()): string {
  const ms = Date.parse(iso) - now;
  return ms < 1000 ? "now" : `in ${formatElapsed(ms)}`;
}

/** 1 → "1st", 2 → "2nd", 11 → "11th", 22 → "22nd". */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? "th" : (({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th");
  return `${n}${suffix}`;
}

interface JobTimes {
  status: string;
  createdAt: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  /** The API's place in line (OptimizationJob.queuePosition), for a QUEUED job. */
  queuePosition?: number | null;
}

/**
 * A job's time in the queue and at work, each on its own: "Queued · 2nd in line · waiting 3 min";
 * once a worker took it, "waited 3 min, running for 5 min", then "waited 3 min, ran 5 min" (the
 * wait is never counted as running time); "waited 4 min, never ran" for one cancelled in the queue.
 */
export function describeJobTiming(job: JobTimes, now = Date.now()): string {
  const created = Date.parse(job.createdAt);
  if (job.status === "QUEUED")
    return [
      "Queued",
      job.queuePosition ? `${ordinal(job.queuePosition)} in line` : null,
      `waiting ${formatElapsed(now - created)}`,
    ]
      .filter(Boolean)
      .join(" · ");
  const started = job.startedAt ? Date.parse(job.startedAt) : null;
  const finished = job.finishedAt ? Date.parse(job.finishedAt) : null;
  if (started === null) return finished === null ? "" : `waited ${formatElapsed(finished - created)}, never ran`;
  const waited = `waited ${formatElapsed(started - created)}`;
  return finished === null
    ? `${waited}, running for ${formatElapsed(now - started)}`
    : `${waited}, ran ${formatElapsed(finished - started)}`;
}

/**
 * The hardware a policy compares costs on, named: its own profile, else the default one
 * ("c7i.large (default)": the API's effectiveHardwareProfile says which that is).
 */
export function describePolicyHardware(policy: {
  hardwareProfile: { name: string } | null | undefined;
  effectiveHardwareProfile: { name: string } | null | undefined;
}): string {
  if (policy.hardwareProfile) return policy.hardwareProfile.name;
  return policy.effectiveHardwareProfile
    ? `${policy.effectiveHardwareProfile.name} (default)`
    : "The default profile (none is set up yet)";
}

// ---------------------------------------------------------------- measurement honesty (issue #10)

/**
 * A measurement's relative uncertainty (half-width of its 95% interval) as "±2.1%"; "" when it is
 * unknown (measured before uncertainties were kept), so callers can leave it out cleanly.
 * Below 0.1% it says "±<0.1%" rather than a misleading "±0%".
 */
export function formatUncertainty(relative: number | null | undefined): string {
  if (relative === null || relative === undefined || !Number.isFinite(relative) || relative < 0) return "";
  if (relative < 0.0005) return "±<0.1%";
  return `±${formatPercent(relative, relative < 0.1 ? 1 : 0)}`;
}

/** An hourly instance price: "$0.08925/h", "$3.06/h" (every digit the price source gave, up to 5 significant). */
export function formatHourly(value: string | number | null | undefined): string {
  const n = toNumber(value);
  if (n === null) return "—";
  const f = Math.abs(n) >= 1 ? usd : usdHourly;
  return `${f.format(n)}/h`;
}
const usdHourly = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  minimumSignificantDigits: 1,
  maximumSignificantDigits: 5,
});

/** A throughput ratio: 1.62 → "1.62×", 0.974 → "0.97×". */
export function formatRatio(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "—";
  return `${ratio.toFixed(2)}×`;
}

export interface RatioInterval {
  throughputRatio: number;
  low: number;
  high: number;
  significant: boolean;
}

export type ComparisonVerdict = "cheaper" | "costlier" | "none";

/**
 * What a paired measurement against the parent says, in words a finance lead can act on:
 * - significant and faster: "1.62× throughput (1.51–1.74), significant", 38% lower $/1M;
 * - significant and slower: "0.80× throughput (0.75–0.85), significant", 25% higher $/1M;
 * - not significant: "No measurable saving (0.97–1.04×)".
 * `headline` and `range` are the two halves of `text` (a badge and what follows it).
 * $/1M is price / throughput, so the cost changes by 1/ratio − 1.
 */
export function describeComparison(c: RatioInterval): {
  verdict: ComparisonVerdict;
  text: string;
  headline: string;
  range: string;
  costChange: string | null;
} {
  const interval = `${c.low.toFixed(2)}–${c.high.toFixed(2)}`;
  if (!c.significant)
    return {
      verdict: "none",
      text: `No measurable saving (${interval}×)`,
      headline: "No measurable saving",
      range: `(${interval}×)`,
      costChange: null,
    };
  const change = 1 / c.throughputRatio - 1;
  const headline = `${formatRatio(c.throughputRatio)} throughput`;
  const range = `(${interval}), significant`;
  return {
    verdict: c.throughputRatio >= 1 ? "cheaper" : "costlier",
    text: `${headline} ${range}`,
    headline,
    range,
    costChange: `${formatPercent(Math.abs(change), Math.abs(change) < 0.1 ? 1 : 0)} ${change <= 0 ? "lower" : "higher"} $/1M`,
  };
}

export interface MeasurementFacts {
  backend: string;
  batchSize: number;
  runs?: number | null;
  uncertainty?: number | null;
  disturbedRounds?: number | null;
  /** The machine's speed against the profile's calibration; the numbers are normalised to it. */
  speedFactor?: number | null;
  measuredAt?: string | null;
  hardwareProfile: { name: string; hourlyPriceUsd?: string | null };
}

/**
 * What a $/1M was measured with, short enough for a table caption:
 * "c7i.large ($0.08925/h) · wasm · batch 32" (the price when known).
 */
export function describeMeasurementShort(m: MeasurementFacts): string {
  const price = m.hardwareProfile.hourlyPriceUsd ? ` (${formatHourly(m.hardwareProfile.hourlyPriceUsd)})` : "";
  return `${m.hardwareProfile.name}${price} · ${m.backend} · batch ${formatCount(m.batchSize)}`;
}

/**
 * The whole story of a $/1M: "measured on c7i.large ($0.08925/h), wasm, batch 32, 40 timed runs,
 * ±2.1%" (and "1 round re-run: CPU busy" when other processes disturbed it).
 */
export function describeMeasurement(m: MeasurementFacts): string {
  const parts = [
    `measured on ${m.hardwareProfile.name}${m.hardwareProfile.hourlyPriceUsd ? ` (${formatHourly(m.hardwareProfile.hourlyPriceUsd)})` : ""}`,
    m.backend,
    `batch ${formatCount(m.batchSize)}`,
  ];
  if (m.runs) parts.push(`${formatCount(m.runs)} timed run${m.runs === 1 ? "" : "s"}`);
  const u = formatUncertainty(m.uncertainty);
  parts.push(u || "uncertainty not recorded");
  if (m.disturbedRounds)
    parts.push(`${m.disturbedRounds} round${m.disturbedRounds === 1 ? "" : "s"} re-run (CPU busy)`);
  const speed = describeSpeed(m.speedFactor);
  if (speed) parts.push(speed);
  return parts.join(", ");
}

/**
 * How a measurement was normalised: "at the profile's calibrated speed (the machine ran at 87%)";
 * empty when it was not (measured before calibrations).
 */
export function describeSpeed(speedFactor: number | null | undefined): string {
  if (speedFactor === null || speedFactor === undefined) return "";
  return `at the profile's calibrated speed (the machine ran at ${Math.round(speedFactor * 100)}%)`;
}

/**
 * A number of requests as people say it: "12,345" below a million, then "2.5 million",
 * "10 billion" (never "10000000000").
 */
export function formatRequests(n: number | string | null | undefined): string {
  const value = typeof n === "string" ? Number(n) : n;
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  if (Math.abs(value) < 1_000_000) return formatCount(value);
  return new Intl.NumberFormat("en-US", {
    notation: "compact",
    compactDisplay: "long",
    maximumFractionDigits: 1,
  }).format(value);
}
