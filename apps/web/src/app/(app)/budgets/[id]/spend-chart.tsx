"use client";
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { useMounted } from "@/components/use-mounted";
import { formatMoney, formatPercent, formatShortDay } from "@/lib/format";

interface Props {
  points: { day: string; cost: number }[];
  amount: number;
  thresholds: readonly number[];
  periodStart: string;
  periodEnd: string;
  forecast: number;
}

const DAY = 86_400_000;

/** Daily spend (bars), spend so far (line), the forecast to the period's end (dashed), the budget and its thresholds. */
export function SpendChart({ points, amount, thresholds, periodStart, periodEnd, forecast }: Props) {
  const mounted = useMounted();
  const start = Date.parse(periodStart);
  const end = Date.parse(periodEnd);
  const byDay = new Map(points.map((p) => [Date.parse(p.day), p.cost]));
  const data: { t: number; daily: number | null; cumulative: number | null; forecast: number | null }[] = [];
  let cumulative = 0;
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  const spent = points.reduce((s, p) => s + p.cost, 0);
  for (let t = start; t < end; t += DAY) {
    const past = t <= today;
    const cost = byDay.get(t) ?? 0;
    if (past) cumulative += cost;
    const forecastLine =
      t >= today ? spent + ((forecast - spent) * (t - today + DAY)) / Math.max(DAY, end - today) : null;
    data.push({
      t,
      daily: past ? cost : null,
      cumulative: past ? cumulative : null,
      forecast: t === today ? cumulative : forecastLine,
    });
  }
  const top = Math.max(amount * Math.max(1, ...thresholds), forecast, cumulative) * 1.05;
  return (
    <figure style={{ margin: 0 }}>
      <div className="chart" style={{ height: 320 }} aria-hidden="true">
        {mounted ? (
          <ResponsiveContainer width="100%" height="100%">
            <ComposedChart data={data} margin={{ top: 10, right: 8, bottom: 0, left: 8 }} accessibilityLayer={false}>
              <CartesianGrid stroke="#e4e7eb" vertical={false} />
              <XAxis
                dataKey="t"
                type="number"
                scale="time"
                domain={[start, end - DAY]}
                tickFormatter={(v: number) => formatShortDay(v)}
                tick={{ fontSize: 11, fill: "#52606d" }}
              />
              <YAxis
                yAxisId="total"
                domain={[0, top]}
                tickFormatter={(v: number) => formatMoney(v).replace(/\.00$/, "")}
                tick={{ fontSize: 11, fill: "#52606d" }}
                width={72}
              />
              <YAxis yAxisId="daily" orientation="right" hide domain={[0, "auto"]} />
              <Tooltip
                labelFormatter={(v) => formatShortDay(Number(v))}
                formatter={(value) => formatMoney(Number(value))}
              />
              <Legend verticalAlign="top" height={30} />
              <Bar yAxisId="daily" dataKey="daily" name="Daily spend" fill="#93c5fd" isAnimationActive={false} />
              <Line
                yAxisId="total"
                dataKey="cumulative"
                name="Spent so far"
                stroke="#1d4ed8"
                strokeWidth={2}
                dot={false}
                isAnimationActive={false}
                connectNulls={false}
              />
              <Line
                yAxisId="total"
                dataKey="forecast"
                name="Forecast"
                stroke="#b45309"
                strokeWidth={2}
                strokeDasharray="6 4"
                dot={false}
                isAnimationActive={false}
                connectNulls
              />
              <ReferenceLine
                yAxisId="total"
                y={amount}
                stroke="#991b1b"
                strokeWidth={2}
                label={{
                  value: `Budget ${formatMoney(amount)}`,
                  position: "insideTopLeft",
                  fill: "#991b1b",
                  fontSize: 12,
                }}
              />
              {thresholds
                .filter((t) => Math.abs(t - 1) > 1e-9)
                .map((t) => (
                  <ReferenceLine
                    key={t}
                    yAxisId="total"
                    y={amount * t}
                    stroke="#52606d"
                    strokeDasharray="2 4"
                    label={{ value: formatPercent(t), position: "insideBottomRight", fill: "#52606d", fontSize: 11 }}
                  />
                ))}
            </ComposedChart>
          </ResponsiveContainer>
        ) : null}
      </div>
      <figcaption className="small muted">
        Spent so far {formatMoney(spent)} of {formatMoney(amount)}; forecast for the period {formatMoney(forecast)}.
        Daily bars use their own scale. Threshold lines at {thresholds.map((t) => formatPercent(t)).join(", ")} of the
        budget.
      </figcaption>
    </figure>
  );
}
