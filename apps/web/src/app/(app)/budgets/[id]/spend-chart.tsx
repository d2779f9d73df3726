"use client";
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { useMounted } from "@/components/use-mounted";
import { formatMoney, formatMoneyTick, formatPercent, formatShortDay } from "@/lib/format";
import { moneyAxis } from "@/lib/money-axis";
import { LineLabels, type LineLabel } from "./line-labels";

interface Props {
  points: { day: string; cost: number }[];
  amount: number;
  thresholds: readonly number[];
  periodStart: string;
  periodEnd: string;
  forecast: number;
}

const DAY = 86_400_000;
/** The axis reaches a forecast up to this multiple of the budget; a larger one is named at the top, not drawn to scale. */
const FORECAST_REACH = 1.5;

/**
 * Daily spend (bars), spend so far (line) and the forecast to the period's end (dashed) on ONE
 * dollar axis, with the budget and its thresholds: a $0.55 day reads $0.55. The axis is scaled to
 * the budget (and what was really spent); a forecast far beyond it is written at the top of the
 * chart with its number instead of flattening everything else.
 */
export function SpendChart({ points, amount, thresholds, periodStart, periodEnd, forecast }: Props) {
  const mounted = useMounted();
  const start = Date.parse(periodStart);
  const end = Date.parse(periodEnd);
  const byDay = new Map(points.map((p) => [Date.parse(p.day), p.cost]));
  const data: { t: number; daily: number | null; cumulative: number | null; forecast: number | null }[] = [];
  let cumulative = 0;
  let largestDay = { t: start, cost: 0 };
  const now = new Date();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const spent = points.reduce((s, p) => s + p.cost, 0);
  for (let t = start; t < end; t += DAY) {
    const past = t <= today;
    const cost = byDay.get(t) ?? 0;
    if (past) cumulative += cost;
    if (past && cost > largestDay.cost) largestDay = { t, cost };
    const forecastLine =
      t >= today ? spent + ((forecast - spent) * (t - today + DAY)) / Math.max(DAY, end - today) : null;
    data.push({
      t,
      daily: past ? cost : null,
      cumulative: past ? cumulative : null,
      forecast: t === today ? cumulative : forecastLine,
    });
  }
  // A tick a week (the 1st, 8th, 15th… of a month): readable at every width.
  const weekly = data.filter((_, i) => i % 7 === 0).map((d) => d.t);
  const marks = [...new Set([...thresholds, 1])].sort((a, b) => a - b);
  const axis = moneyAxis(
    Math.max(
      amount * marks[marks.length - 1]!,
      cumulative,
      largestDay.cost,
      Math.min(forecast, amount * FORECAST_REACH),
    ) * 1.04,
  );
  const forecastOffChart = forecast > axis.top;
  const labels: LineLabel[] = marks.map((t) => ({
    key: `t${t}`,
    value: amount * t,
    text: t === 1 ? `Budget ${formatMoney(amount)}` : `${formatPercent(t)} · ${formatMoney(amount * t)}`,
    tone: t === 1 ? "budget" : "threshold",
  }));
  if (forecastOffChart)
    labels.push({
      key: "forecast",
      value: axis.top,
      text: `Forecast ${formatMoney(forecast)} (${formatPercent(amount > 0 ? forecast / amount : 0)}) ↑ above the chart`,
      short: `Forecast ${formatMoney(forecast)} ↑`,
      tone: "forecast",
    });
  return (
    <figure style={{ margin: 0 }}>
      <p className="chart-legend" aria-hidden="true" style={{ margin: "0 0 0.4rem" }}>
        <span>
          <span className="legend-swatch" style={{ background: "#60a5fa" }} />
          Daily spend
        </span>
        <span style={{ color: "#1d4ed8" }}>
          <span className="legend-swatch line" />
          <span style={{ color: "var(--muted)" }}>Spent so far</span>
        </span>
        <span style={{ color: "#b45309" }}>
          <span className="legend-swatch line dashed" />
          <span style={{ color: "var(--muted)" }}>Forecast</span>
        </span>
        <span style={{ color: "#991b1b" }}>
          <span className="legend-swatch line" />
          <span style={{ color: "var(--muted)" }}>Budget, thresholds dotted</span>
        </span>
      </p>
      <div className="chart spend-chart" style={{ height: 320 }} aria-hidden="true">
        {mounted ? (
          <ResponsiveContainer width="100%" height="100%">
            <ComposedChart data={data} margin={{ top: 10, right: 8, bottom: 0, left: 8 }} accessibilityLayer={false}>
              <CartesianGrid stroke="#e4e7eb" vertical={false} />
              <XAxis
                dataKey="t"
                type="number"
                scale="time"
                domain={[start - DAY / 2, end - DAY / 2]}
                ticks={weekly}
                interval={0}
                tickFormatter={(v: number) => formatShortDay(v)}
                tick={{ fontSize: 11, fill: "#52606d" }}
              />
              <YAxis
                domain={[0, axis.top]}
                ticks={axis.ticks}
                allowDataOverflow
                tickFormatter={(v: number) => formatMoneyTick(v, axis.step)}
                tick={{ fontSize: 11, fill: "#52606d" }}
                width={72}
              />
              <Tooltip
                labelFormatter={(v) => formatShortDay(Number(v))}
                formatter={(value) => formatMoney(Number(value))}
              />
              <Bar dataKey="daily" name="Daily spend" fill="#60a5fa" isAnimationActive={false} />
              <Line
                dataKey="cumulative"
                name="Spent so far"
                stroke="#1d4ed8"
                strokeWidth={2.5}
                dot={false}
                isAnimationActive={false}
                connectNulls={false}
              />
              <Line
                dataKey="forecast"
                name="Forecast"
                stroke="#b45309"
                strokeWidth={2}
                strokeDasharray="6 4"
                dot={false}
                isAnimationActive={false}
                connectNulls
              />
              {marks.map((t) => (
                <ReferenceLine
                  key={t}
                  y={amount * t}
                  stroke={t === 1 ? "#991b1b" : "#52606d"}
                  strokeWidth={t === 1 ? 2 : 1}
                  strokeDasharray={t === 1 ? undefined : "3 4"}
                />
              ))}
              <LineLabels labels={labels} />
            </ComposedChart>
          </ResponsiveContainer>
        ) : null}
      </div>
      <figcaption className="small muted">
        Spent so far {formatMoney(spent)} of {formatMoney(amount)}; forecast for the period {formatMoney(forecast)}
        {forecastOffChart ? " (above the top of the chart)" : ""}. Daily bars and the lines share one dollar axis; the
        largest day was {formatMoney(largestDay.cost)}
        {largestDay.cost > 0 ? ` (${formatShortDay(largestDay.t)})` : ""}. Threshold lines at{" "}
        {thresholds.map((t) => formatPercent(t)).join(", ")} of the budget.
      </figcaption>
    </figure>
  );
}
