// A search job's candidates on cost × metric (the shared CostMetricChart, drawn on the server, so
// it redraws with each refresh of the page while the job runs): the best pick and the best effort
// marked, the source as a square.
import { CostMetricChart, isShare, type ChartPoint } from "@/components/cost-metric-chart";

export type { ChartPoint };

interface ChartProps {
  points: ChartPoint[];
  frontierIds: string[];
  bestId: string | null;
  bestEffortId: string | null;
  source: ChartPoint | null;
  metric: string;
}

export function FrontierChart({ points, frontierIds, bestId, bestEffortId, source, metric }: ChartProps) {
  const frontier = new Set(frontierIds);
  return (
    <figure className="frontier-chart" style={{ margin: 0 }}>
      <CostMetricChart
        points={points}
        frontierIds={frontierIds}
        metric={metric}
        source={source}
        label={`Candidates by $ per 1M inferences and ${metric}`}
        tone={(p) =>
          p.id === bestId ? "best" : p.id === bestEffortId ? "effort" : frontier.has(p.id) ? "frontier" : null
        }
      />
      <figcaption className="small muted">
        Each dot is a candidate, labelled with its version; higher is{" "}
        {isShare(metric) ? "more accurate" : "a larger error"}. Point at a dot for its $/1M, metric and stage. The blue
        line joins the Pareto frontier (no other candidate is both cheaper and better); green is the best pick, amber
        the best effort; the grey square is the source. A step that saved no measurable cost is drawn at its own
        measured $/1M but counts with its input&apos;s.
      </figcaption>
    </figure>
  );
}
