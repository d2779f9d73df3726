// The weekly digest of a team's spend as a person reads it (e-mail), from numbers the worker
// gathered: the week's spend against the week before, the models that moved most, and what
// optimized versions in production saved.
import { describeAnomalyEffects, type AnomalyEffects } from "./anomaly-text.ts";
import type { EventText } from "./event-text.ts";
import { formatShare, formatUsd } from "./money-display.ts";
import { MoneyDecimal } from "./decimal.ts";

export interface DigestFacts {
  teamName: string;
  /** Monday 00:00 UTC the week starts; it ends 7 days later (exclusive). */
  weekStart: Date;
  spendUsd: string;
  previousUsd: string;
  /** The models whose spend changed most, biggest change first. */
  movers: { model: string; spendUsd: string; previousUsd: string }[];
  /** What optimized production versions saved over the week, against their source uploads; null if unknown. */
  savings: { totalUsd: string; versions: number } | null;
  /** Days whose spend left the expected range (when anomaly detection runs), newest first. */
  anomalies?: {
    model: string;
    day: Date;
    actualUsd: string;
    expectedUsd: string;
    /** The change explained by the price per inference (a promotion, a re-measurement), and by traffic. */
    priceEffectUsd?: string;
    volumeEffectUsd?: string;
  }[];
}

const shortDay = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", month: "short", day: "numeric" });
const DAY = 86_400_000;

/** "+$12.00 (+8.5%)", "-$3.50 (-20%)", "+$5.00 (new)". */
function change(now: string, before: string): string {
  const delta = new MoneyDecimal(now).minus(before);
  const sign = delta.isNegative() ? "-" : "+";
  const money = `${sign}${formatUsd(delta.abs().toString())}`;
  const base = new MoneyDecimal(before);
  if (base.isZero()) return delta.isZero() ? "no change" : `${money} (new)`;
  return `${money} (${sign}${formatShare(delta.abs().div(base).toNumber())})`;
}

/** " (price +$4.00, volume +$0.50)", when the split is known. */
const effects = (a: Partial<AnomalyEffects>): string =>
  a.priceEffectUsd === undefined || a.volumeEffectUsd === undefined
    ? ""
    : ` (${describeAnomalyEffects({ priceEffectUsd: a.priceEffectUsd, volumeEffectUsd: a.volumeEffectUsd })})`;

export function describeDigest(f: DigestFacts): EventText {
  const range = `${shortDay.format(f.weekStart)}–${shortDay.format(new Date(f.weekStart.getTime() + 6 * DAY))}`;
  const lines = [
    `Spend ${formatUsd(f.spendUsd)} in the week of ${range} (UTC); the week before ${formatUsd(f.previousUsd)}: ${change(f.spendUsd, f.previousUsd)}.`,
    "",
    f.movers.length ? "Top movers by model:" : "No model spent anything in either week.",
    ...f.movers.map((m) => `- ${m.model}: ${formatUsd(m.spendUsd)}, ${change(m.spendUsd, m.previousUsd)}`),
  ];
  if (f.anomalies?.length) {
    lines.push("", "Anomalies (spend outside the expected range):");
    for (const a of f.anomalies)
      lines.push(
        `- ${a.model} on ${shortDay.format(a.day)}: ${formatUsd(a.actualUsd)}, expected ${formatUsd(a.expectedUsd)}${effects(a)}`,
      );
  }
  if (f.savings)
    lines.push(
      "",
      f.savings.versions
        ? `Savings from promotions: ${formatUsd(f.savings.totalUsd)} this week, from ${f.savings.versions} optimized version${f.savings.versions === 1 ? "" : "s"} in production (against their source uploads' measured cost).`
        : "Savings from promotions: no optimized version in production.",
    );
  return {
    title: `Costgate weekly: ${f.teamName} spent ${formatUsd(f.spendUsd)} (${range}), ${change(f.spendUsd, f.previousUsd)}`,
    lines,
  };
}
