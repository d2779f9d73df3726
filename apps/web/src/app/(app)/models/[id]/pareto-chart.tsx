// A model's versions on cost × metric (the shared CostMetricChart): the Pareto frontier in blue,
// versions the accuracy guardrail rejected as red rings, the others grey.
import { CostMetricChart, type ChartPoint } from "@/components/cost-metric-chart";

export function ParetoChart({
  points,
  frontierIds,
  metric,
  profileName,
}: {
  points: ChartPoint[];
  frontierIds: string[];
  metric: string;
  /** The hardware profile whose $/1M the chart shows. */
  profileName: string | null;
}) {
  const accuracy = metric === "accuracy" || metric === "agreement";
  return (
    <figure className="frontier-chart" style={{ margin: 0 }}>
      <CostMetricChart
        points={points}
        frontierIds={frontierIds}
        metric={metric}
        label={`Versions by $ per 1M inferences${profileName ? ` on ${profileName}` : ""} and ${metric}`}
      />
      <figcaption className="small muted">
        Each dot is a measured version, labelled with its number: cheaper to the left,{" "}
        {accuracy ? "more accurate higher up" : "lower error lower down"}
        {profileName ? `; $/1M on ${profileName}` : ""}. Point at a dot for its $/1M ± uncertainty, {metric} and stage;
        versions measured alike share a dot, labelled with each. The blue line joins the Pareto frontier; red rings are
        versions the accuracy guardrail rejected.
      </figcaption>
    </figure>
  );
}
