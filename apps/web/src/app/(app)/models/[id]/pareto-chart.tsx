"use client";
import {
  CartesianGrid,
  Line,
  ResponsiveContainer,
  Scatter,
  ComposedChart,
  Tooltip,
  XAxis,
  YAxis,
  Legend,
} from "recharts";
import { useMounted } from "@/components/use-mounted";
import { costText } from "@/components/cost";
import { formatMetric, formatPerMillion } from "@/lib/format";

interface Point {
  id: string;
  number: number;
  source: string;
  cost: number;
  /** relative half-width of the 95% interval of the cost */
  uncertainty?: number | null;
  metric: number;
  stage: string;
}

export function ParetoChart({
  points,
  frontierIds,
  metric,
}: {
  points: Point[];
  frontierIds: string[];
  metric: string;
}) {
  const mounted = useMounted();
  const frontier = new Set(frontierIds);
  const onFrontier = points.filter((p) => frontier.has(p.id)).sort((a, b) => a.cost - b.cost);
  const others = points.filter((p) => !frontier.has(p.id));
  const label = metric === "accuracy" ? "Accuracy" : metric;
  return (
    <figure style={{ margin: 0 }}>
      <div className="chart" aria-hidden="true">
        {mounted ? (
          <ResponsiveContainer width="100%" height="100%">
            <ComposedChart margin={{ top: 10, right: 16, bottom: 24, left: 8 }} accessibilityLayer={false}>
              <CartesianGrid stroke="#e4e7eb" />
              <XAxis
                type="number"
                dataKey="cost"
                name="$/1M inferences"
                domain={["auto", "auto"]}
                tickFormatter={(v: number) => formatPerMillion(v)}
                label={{
                  value: "$ per 1M inferences",
                  position: "insideBottom",
                  offset: -14,
                  fill: "#52606d",
                  fontSize: 12,
                }}
                tick={{ fontSize: 11, fill: "#52606d" }}
              />
              <YAxis
                type="number"
                dataKey="metric"
                name={label}
                domain={["auto", "auto"]}
                tickFormatter={(v: number) => formatMetric(metric, v)}
                tick={{ fontSize: 11, fill: "#52606d" }}
                width={64}
              />
              <Tooltip
                formatter={(value, name) =>
                  name === "$/1M inferences" ? formatPerMillion(Number(value)) : formatMetric(metric, Number(value))
                }
                labelFormatter={() => ""}
              />
              <Legend verticalAlign="top" height={28} />
              <Scatter name="Versions" data={others} fill="#9aa5b1" />
              <Line
                name="Pareto frontier"
                data={onFrontier}
                dataKey="metric"
                type="linear"
                stroke="#1d4ed8"
                strokeWidth={2}
                dot={{ r: 5, fill: "#1d4ed8" }}
                isAnimationActive={false}
              />
            </ComposedChart>
          </ResponsiveContainer>
        ) : null}
      </div>
      <figcaption className="small muted">
        Each dot is a measured version: cheaper to the left, {metric === "accuracy" ? "more accurate" : "lower error"}{" "}
        {metric === "accuracy" ? "higher up" : "lower down"}. The blue line joins the Pareto frontier.{" "}
        {points
          .map(
            (p) =>
              `v${p.number}: ${costText({ costPerMillionUsd: p.cost, uncertainty: p.uncertainty })}, ${formatMetric(metric, p.metric)}`,
          )
          .join("; ")}
        .
      </figcaption>
    </figure>
  );
}
