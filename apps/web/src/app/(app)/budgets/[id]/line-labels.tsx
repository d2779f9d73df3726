"use client";
// Labels of horizontal lines (thresholds, the budget, a forecast above the chart), drawn just above
// their line and pushed apart so that none overlaps another, however close the lines are: budget
// and thresholds at the left of the plot (early in the period, where spend so far is low and no
// forecast is drawn), the forecast at the right, where it leaves the chart. Rendered inside a
// recharts chart: it reads the chart's own y scale.
import { usePlotArea, useYAxisScale } from "recharts";
import { spreadLabels } from "@/lib/label-layout";

export interface LineLabel {
  key: string;
  value: number;
  text: string;
  /** Said instead when the plot is narrow (a phone). */
  short?: string;
  tone: "budget" | "threshold" | "forecast";
}

/** Height of one label line in px (font 11–12 px). */
const LINE = 15;
/** Plots narrower than this (px) get the labels' short texts. */
const NARROW = 480;
const FILL = { budget: "#991b1b", threshold: "#3e4c59", forecast: "#92400e" } as const;

export function LineLabels({ labels }: { labels: LineLabel[] }) {
  const scale = useYAxisScale();
  const plot = usePlotArea();
  if (!scale || !plot) return null;
  // A label's baseline sits 4 px above its line; spread the baselines at least a line apart.
  const wanted = labels.map((l) => Number(scale(l.value)) - 4);
  const ys = spreadLabels(wanted, LINE, plot.y + LINE - 3, plot.y + plot.height - 4);
  const left = plot.x + 6;
  const right = plot.x + plot.width - 4;
  return (
    <g className="line-labels">
      {labels.map((l, i) => (
        <text
          key={l.key}
          data-label={l.key}
          x={l.tone === "forecast" ? right : left}
          y={ys[i]}
          textAnchor={l.tone === "forecast" ? "end" : "start"}
          fontSize={l.tone === "threshold" ? 11 : 12}
          fontWeight={l.tone === "threshold" ? 400 : 600}
          fill={FILL[l.tone]}
          stroke="#ffffff"
          strokeWidth={3}
          paintOrder="stroke"
        >
          {plot.width < NARROW && l.short ? l.short : l.text}
        </text>
      ))}
    </g>
  );
}
