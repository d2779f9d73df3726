// A search job's candidates on cost × metric, as an SVG drawn on the server (it redraws with each
// refresh of the page while the job runs): every candidate a labelled dot, the Pareto frontier
// joined by a line, the best pick and the best effort marked. Axes are padded around the data and
// never show less than $0 or a share outside 0–100%.
import { paddedDomain, ticks } from "@/lib/chart-domain";
import { formatMetric, formatPerMillion } from "@/lib/format";

export interface ChartPoint {
  id: string;
  number: number;
  cost: number;
  metric: number;
}

const H = 300;
const M = { top: 14, right: 20, bottom: 44, left: 70 };

interface ChartProps {
  points: ChartPoint[];
  frontierIds: string[];
  bestId: string | null;
  bestEffortId: string | null;
  source: ChartPoint | null;
  metric: string;
}

/** Drawn twice, wide and narrow, so its text stays readable on a phone (CSS shows one: .chart-wide/.chart-narrow). */
export function FrontierChart(props: ChartProps) {
  const share = props.metric === "accuracy" || props.metric === "agreement";
  return (
    <figure className="frontier-chart" style={{ margin: 0 }}>
      <Plot {...props} width={640} tickCount={4} className="chart-wide" />
      <Plot {...props} width={360} tickCount={2} className="chart-narrow" />
      <figcaption className="small muted">
        Each dot is a candidate, labelled with its version; higher is {share ? "more accurate" : "a larger error"}. The
        blue line joins the Pareto frontier (no other candidate is both cheaper and better); green is the best pick,
        amber the best effort; the grey square is the source. A step that saved no measurable cost is drawn at its own
        measured $/1M but counts with its input&apos;s.
      </figcaption>
    </figure>
  );
}

function Plot({
  points,
  frontierIds,
  bestId,
  bestEffortId,
  source,
  metric,
  width: W,
  tickCount,
  className,
}: ChartProps & { width: number; tickCount: number; className: string }) {
  const share = metric === "accuracy" || metric === "agreement";
  const all = source ? [...points, source] : points;
  const xDomain = paddedDomain(
    all.map((p) => p.cost),
    { floor: 0 },
  );
  const yDomain = paddedDomain(
    all.map((p) => p.metric),
    share ? { floor: 0, ceil: 1 } : { floor: 0 },
  );
  const x = (v: number) => M.left + ((v - xDomain[0]) / (xDomain[1] - xDomain[0])) * (W - M.left - M.right);
  const y = (v: number) => H - M.bottom - ((v - yDomain[0]) / (yDomain[1] - yDomain[0])) * (H - M.top - M.bottom);
  const onFrontier = frontierIds
    .map((id) => points.find((p) => p.id === id))
    .filter((p): p is ChartPoint => p !== undefined);
  const frontier = new Set(frontierIds);
  const tone = (p: ChartPoint) =>
    p.id === bestId ? "best" : p.id === bestEffortId ? "effort" : frontier.has(p.id) ? "frontier" : "other";
  const fill = { best: "#15803d", effort: "#b45309", frontier: "#1d4ed8", other: "#9aa5b1" } as const;
  const described = points
    .map((p) => `v${p.number}: ${formatPerMillion(p.cost)}, ${formatMetric(metric, p.metric)}`)
    .join("; ");

  return (
    <svg
      className={className}
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`Candidates by $ per 1M inferences and ${metric}. ${described || "No candidate measured yet"}.`}
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
          <text x={x(source.cost) - 8} y={y(source.metric) - 8} textAnchor="end" fontSize="11" fill="#52606d">
            source v{source.number}
          </text>
        </g>
      ) : null}
      {points.map((p) => (
        <g key={p.id}>
          <circle
            cx={x(p.cost)}
            cy={y(p.metric)}
            r={tone(p) === "other" ? 4 : 6}
            fill={fill[tone(p)]}
            stroke="#fff"
            strokeWidth="1.5"
          />
          <text x={x(p.cost) + 8} y={y(p.metric) - 6} fontSize="11" fill="#1f2933">
            v{p.number}
          </text>
        </g>
      ))}
    </svg>
  );
}
