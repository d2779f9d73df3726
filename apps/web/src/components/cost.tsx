// How a $/1M is shown everywhere (server-safe: no hooks): the number, its ± (the 95% interval of
// the measured throughput, so of the cost too), and what it was measured with; and the paired
// comparison of a version against its parent ("No measurable saving" when the interval contains 1).
import { Badge, type Tone } from "./ui";
import {
  describeComparison,
  describeMeasurement,
  describeMeasurementShort,
  formatPerMillion,
  formatUncertainty,
  type MeasurementFacts,
  type RatioInterval,
} from "@/lib/format";

export type CostFacts = MeasurementFacts & { costPerMillionUsd: string };

/**
 * "$0.000114 ±2.1%", with a caption "c7i.large · wasm · batch 32" (caption="short") or the whole
 * sentence (caption="full"); the full sentence is always the title for pointer users.
 */
export function CostFigure({
  cost,
  caption = "short",
  perMillion = false,
  measuredHref,
}: {
  cost: CostFacts | null | undefined;
  caption?: "short" | "full" | "none";
  perMillion?: boolean;
  /** Where the measurement is shown in full (the version's cost card): the caption links there. */
  measuredHref?: string;
}) {
  if (!cost) return <>—</>;
  const pm = formatUncertainty(cost.uncertainty);
  return (
    <span className="cost-figure" title={describeMeasurement(cost)}>
      <span className="cost-value">
        {formatPerMillion(cost.costPerMillionUsd)}
        {perMillion ? "/1M" : ""}
        {pm ? <span className="pm"> {pm}</span> : null}
      </span>
      {caption === "none" ? null : (
        <span className="recipe cost-caption">
          {measuredHref ? (
            <a href={measuredHref}>{caption === "full" ? describeMeasurement(cost) : describeMeasurementShort(cost)}</a>
          ) : caption === "full" ? (
            describeMeasurement(cost)
          ) : (
            describeMeasurementShort(cost)
          )}
        </span>
      )}
    </span>
  );
}

/** "$0.000114 ±2.1%" (or "$0.000114/1M ±2.1%" with suffix "/1M") as plain text, for sentences and chart captions. */
export function costText(
  cost: { costPerMillionUsd: string | number; uncertainty?: number | null } | null | undefined,
  suffix = "",
): string {
  if (!cost) return "—";
  const pm = formatUncertainty(cost.uncertainty);
  return `${formatPerMillion(cost.costPerMillionUsd)}${suffix}${pm ? ` ${pm}` : ""}`;
}

export interface ComparisonFacts extends RatioInterval {
  parent?: { number: number } | null;
  hardwareProfile?: { name: string } | null;
  rounds?: number | null;
}

const TONE: Record<string, Tone> = { cheaper: "ok", costlier: "bad", none: "neutral" };

/**
 * The saving of a step against its input: a badge and its interval ("1.62× throughput (1.51–1.74),
 * significant" or "No measurable saving (0.97–1.04×)"), then what it means and where it was
 * measured ("38% lower $/1M · vs v1 on c7i.large, 8 paired rounds").
 */
export function ComparisonNote({ comparison, against }: { comparison: ComparisonFacts; against?: string }) {
  const d = describeComparison(comparison);
  const where = [
    against ?? (comparison.parent ? `vs v${comparison.parent.number}` : "vs its input"),
    comparison.hardwareProfile ? `on ${comparison.hardwareProfile.name}` : null,
  ]
    .filter(Boolean)
    .join(" ");
  const rounds = comparison.rounds ? `, ${comparison.rounds} paired round${comparison.rounds === 1 ? "" : "s"}` : "";
  return (
    <span className="comparison">
      <span>
        <Badge tone={TONE[d.verdict]}>{d.headline}</Badge> <Interval range={d.range} />
      </span>
      <span className="recipe">
        {d.costChange ? `${d.costChange} · ` : "the 95% interval includes 1× · "}
        {where}
        {rounds}
      </span>
    </span>
  );
}

/** "(1.46–1.83), significant" that breaks after the interval, never inside it. */
function Interval({ range }: { range: string }) {
  const m = /^(\([^)]*\))(.*)$/.exec(range);
  if (!m) return <span>{range}</span>;
  return (
    <span>
      <span className="nowrap">{m[1]}</span>
      {m[2]}
    </span>
  );
}
