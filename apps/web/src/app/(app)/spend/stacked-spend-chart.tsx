"use client";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useMounted } from "@/components/use-mounted";
import { formatMoney, formatMoneyPrecise, formatShortDay } from "@/lib/format";

export interface StackedSeries {
  key: string;
  label: string;
}

/** Colour-blind-safe palette (Okabe–Ito), then a grey for "Other". */
const COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"];
const DAY = 86_400_000;

/** Daily spend, one stacked bar per UTC day, one colour per group, on one dollar axis. */
export function StackedSpendChart({
  rows,
  series,
  from,
  to,
}: {
  rows: ({ day: string } & Record<string, number | string>)[];
  series: StackedSeries[];
  from: string;
  to: string;
}) {
  const mounted = useMounted();
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const data = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t < Date.parse(`${to}T00:00:00Z`); t += DAY) {
    const day = new Date(t).toISOString().slice(0, 10);
    data.push({ ...(byDay.get(day) ?? {}), t });
  }
  return (
    <figure style={{ margin: 0 }} data-testid="stacked-spend-chart">
      <div className="chart" style={{ height: 320 }} aria-hidden="true">
        {mounted ? (
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={data} margin={{ top: 10, right: 8, bottom: 0, left: 8 }} accessibilityLayer={false}>
              <CartesianGrid stroke="#e4e7eb" vertical={false} />
              <XAxis
                dataKey="t"
                tickFormatter={(v: number) => formatShortDay(v)}
                tick={{ fontSize: 11, fill: "#52606d" }}
              />
              <YAxis
                tickFormatter={(v: number) => formatMoney(v).replace(/\.00$/, "")}
                tick={{ fontSize: 11, fill: "#52606d" }}
                width={72}
              />
              <Tooltip
                labelFormatter={(v) => formatShortDay(Number(v))}
                formatter={(value) => formatMoneyPrecise(Number(value))}
              />
              <Legend verticalAlign="top" height={30} />
              {series.map((s, i) => (
                <Bar
                  key={s.key}
                  dataKey={s.key}
                  name={s.label}
                  stackId="spend"
                  fill={s.key === "other" ? "#999999" : COLORS[i % (COLORS.length - 1)]}
                  isAnimationActive={false}
                />
              ))}
            </BarChart>
          </ResponsiveContainer>
        ) : null}
      </div>
      <figcaption className="muted" style={{ fontSize: "0.8rem" }}>
        Daily spend from {from} to {to}, stacked by {series.map((s) => s.label).join(", ")}; the table below lists the
        totals.
      </figcaption>
    </figure>
  );
}
