// Versions on cost × metric as an SVG drawn on the server, for the model page and a search job:
// every version a dot labelled with its number, the Pareto frontier joined by a line, a tooltip
// per dot (version, $/1M ± uncertainty, metric, stage) on hover. Versions at the same place (one
// artifact registered twice measures the same) share one dot, labelled and described with each.
// Axes are padded around the data and never show less than $0 or a share outside 0–100%; dots and
// labels stay inside the plot.
// Drawn twice, wide and narrow, so its text stays readable on a phone (CSS shows one).
import { costText } from "@/components/cost";
import { paddedDomain, ticks } from "@/lib/chart-domain";
import { groupOverlapping } from "@/lib/dot-groups";
import { formatMetric, formatPerMillion, humanize } from "@/lib/format";

export interface ChartPoint {
  id: string;
  number: number;
  cost: number;
  metric: number;
  /** Relative half-width of the 95% interval of the cost. */
  uncertainty?: number | null;
  stage?: string | null;
}

type Tone = "best" | "effort" | "frontier" | "rejected" | "other";

export interface CostMetricChartProps {
  points: ChartPoint[];
  frontierIds: string[];
  metric: string;
  /** The colour of each dot; frontier, rejected (stage REJECTED) or other when not given. */
  tone?: (p: ChartPoint) => Tone | null;
  /** A square for the version the others were made from (a job's source). */
  source?: ChartPoint | null;
  label: string;
}

const H = 300;
const M = { top: 18, right: 24, bottom: 44, left: 70 };
const FILL: Record<Tone, string> = {
  best: "#15803d",
  effort: "#b45309",
  frontier: "#1d4ed8",
  rejected: "#b91c1c",
  other: "#7b8794",
};

/** Which tone a shared dot takes: the most telling of its versions'. */
const TONE_RANK: Tone[] = ["best", "effort", "frontier", "other", "rejected"];
/** Dots closer than this (in the plot's units) are drawn as one; the largest dot's diameter. */
const OVERLAP = 12;
/** Versions named in a shared dot's label before the rest are counted. */
const LABELLED = 3;

const dotLabel = (numbers: number[]) => {
  const named = numbers
    .slice(0, LABELLED)
    .map((n) => `v${n}`)
    .join(", ");
  return numbers.length > LABELLED ? `${named} +${numbers.length - LABELLED}` : named;
};

export const isShare = (metric: string) => metric === "accuracy" || metric === "agreement";

const metricLabel = (metric: string) =>
  metric === "accuracy" ? "Accuracy" : metric === "agreement" ? "Agreement" : metric === "mse" ? "MSE" : metric;

/** What a dot's tooltip and the chart's text alternative say of a version. */
function describePoint(p: ChartPoint, metric: string): string {
  const parts = [
    `v${p.number}`,
    `${costText({ costPerMillionUsd: p.cost, uncertainty: p.uncertainty })} per 1M`,
    `${metricLabel(metric)} ${formatMetric(metric, p.metric)}`,
  ];
  if (p.stage) parts.push(humanize(p.stage));
  return parts.join(" · ");
}

export function CostMetricChart(props: CostMetricChartProps) {
  return (
    <>
      <Plot {...props} width={640} tickCount={4} className="chart-wide" />
      <Plot {...props} width={360} tickCount={2} className="chart-narrow" />
    </>
  );
}

function Plot({
  points,
  frontierIds,
  metric,
  tone,
  source,
  label,
  width: W,
  tickCount,
  className,
}: CostMetricChartProps & { width: number; tickCount: number; className: string }) {
  const all = source ? [...points, source] : points;
  const xDomain = paddedDomain(
    all.map((p) => p.cost),
    { floor: 0 },
  );
  const yDomain = paddedDomain(
    all.map((p) => p.metric),
    isShare(metric) ? { floor: 0, ceil: 1 } : { floor: 0 },
  );
  // Dots are drawn inside the frame, inset by their radius, so none sits half outside it.
  const inset = 8;
  const x = (v: number) =>
    M.left + inset + ((v - xDomain[0]) / (xDomain[1] - xDomain[0])) * (W - M.left - M.right - 2 * inset);
  const y = (v: number) =>
    H - M.bottom - inset - ((v - yDomain[0]) / (yDomain[1] - yDomain[0])) * (H - M.top - M.bottom - 2 * inset);
  const frontier = new Set(frontierIds);
  const onFrontier = points.filter((p) => frontier.has(p.id)).sort((a, b) => a.cost - b.cost);
  const toneOf = (p: ChartPoint): Tone =>
    tone?.(p) ?? (p.stage === "REJECTED" ? "rejected" : frontier.has(p.id) ? "frontier" : "other");
  const described = points.map((p) => describePoint(p, metric)).join("; ");

  return (
    <svg
      className={`cost-metric-chart ${className}`}
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`${label}. ${described || "Nothing measured yet"}.`}
      style={{ width: "100%", height: "auto", maxHeight: 340 }}
    >
      {ticks(xDomain, tickCount).map((t) => (
        <g key={`x${t}`}>
          <line x1={x(t)} x2={x(t)} y1={M.top} y2={H - M.bottom} stroke="#e4e7eb" />
          <text x={x(t)} y={H - M.bottom + 16} textAnchor="middle" fontSize="11" fill="#52606d">
            {formatPerMillion(t)}
          </text>
        </g>
      ))}
      {ticks(yDomain, tickCount + 1).map((t) => (
        <g key={`y${t}`}>
          <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} stroke="#e4e7eb" />
          <text x={M.left - 6} y={y(t) + 4} textAnchor="end" fontSize="11" fill="#52606d">
            {formatMetric(metric, t)}
          </text>
        </g>
      ))}
      <text x={(M.left + W - M.right) / 2} y={H - 8} textAnchor="middle" fontSize="12" fill="#52606d">
        $ per 1M inferences (cheaper to the left)
      </text>
      <rect
        x={M.left}
        y={M.top}
        width={W - M.left - M.right}
        height={H - M.top - M.bottom}
        fill="none"
        stroke="#cbd2d9"
      />
      {onFrontier.length > 1 ? (
        <polyline
          points={onFrontier.map((p) => `${x(p.cost)},${y(p.metric)}`).join(" ")}
          fill="none"
          stroke="#1d4ed8"
          strokeWidth="2"
        />
      ) : null}
      {source ? (
        <g>
          <rect x={x(source.cost) - 5} y={y(source.metric) - 5} width="10" height="10" fill="#52606d" />
          <text
            x={x(source.cost) + (x(source.cost) > W / 2 ? -8 : 8)}
            y={y(source.metric) + 16}
            textAnchor={x(source.cost) > W / 2 ? "end" : "start"}
            fontSize="11"
            fill="#52606d"
          >
            source v{source.number}
          </text>
        </g>
      ) : null}
      {groupOverlapping(
        points
          .map((p) => ({ item: p, x: x(p.cost), y: y(p.metric) }))
          .sort(
            (a, b) =>
              TONE_RANK.indexOf(toneOf(a.item)) - TONE_RANK.indexOf(toneOf(b.item)) || a.item.number - b.item.number,
          ),
        OVERLAP,
      ).map((group) => {
        const { item: top, x: cx, y: cy } = group[0]!;
        const t = toneOf(top);
        const members = group.map((g) => g.item).sort((a, b) => a.number - b.number);
        const right = cx > W - M.right - 60; // label and tooltip to the left near the right edge
        const tips = members.map((p) => describePoint(p, metric));
        const tipW = Math.min(W - 8, Math.max(...tips.map((tip) => tip.length)) * 5.7 + 16);
        const tipH = 22 + 16 * (tips.length - 1);
        const tipX = Math.max(4, Math.min(W - tipW - 4, right ? cx - tipW - 10 : cx + 10));
        const tipY = cy - tipH - 12 < 2 ? cy + 12 : cy - tipH - 12;
        return (
          <g key={top.id} className="chart-point" data-versions={members.map((p) => p.number).join(" ")}>
            <title>{tips.join("\n")}</title>
            <circle
              cx={cx}
              cy={cy}
              r={t === "other" || t === "rejected" ? 5 : 6}
              fill={t === "rejected" ? "#fff" : FILL[t]}
              stroke={t === "rejected" ? FILL.rejected : "#fff"}
              strokeWidth={t === "rejected" ? 2 : 1.5}
            />
            <text
              x={right ? cx - 9 : cx + 9}
              y={cy - 7}
              textAnchor={right ? "end" : "start"}
              fontSize="11"
              fontWeight="600"
              fill="#1f2933"
            >
              {dotLabel(members.map((p) => p.number))}
            </text>
            <g className="chart-tip" aria-hidden="true">
              <rect x={tipX} y={tipY} width={tipW} height={tipH} rx={4} fill="#1f2933" />
              {tips.map((tip, i) => (
                <text key={members[i]!.id} x={tipX + 8} y={tipY + 15 + 16 * i} fontSize="11" fill="#fff">
                  {tip}
                </text>
              ))}
            </g>
          </g>
        );
      })}
    </svg>
  );
}
