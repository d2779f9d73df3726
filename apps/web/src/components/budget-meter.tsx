// A budget's spend this period as a bar: spent (solid), forecast (hatched) and a mark at each
// alert threshold. The numbers are in the text next to it; the bar is decoration for sighted users.
import { formatMoney, formatPercent } from "@/lib/format";

export function BudgetMeter({
  spent,
  forecast,
  amount,
  thresholds,
  state,
}: {
  spent: number;
  forecast: number;
  amount: number;
  thresholds: readonly number[];
  state: string;
}) {
  const scale = Math.max(1, forecast / amount, spent / amount, ...thresholds) * 1.02;
  const pct = (v: number) => `${Math.min(100, (v / scale) * 100)}%`;
  const tone = state === "EXCEEDED" ? "bad" : state === "AT_RISK" ? "warn" : "";
  return (
    <div>
      <div className="meter" aria-hidden="true">
        <div className="forecast" style={{ width: pct(forecast / amount) }} />
        <div className={`spent ${tone}`} style={{ width: pct(spent / amount) }} />
        {thresholds.map((t) => (
          <div key={t} className="mark" style={{ left: pct(t) }} title={`${formatPercent(t)} threshold`} />
        ))}
      </div>
      <p className="small muted" style={{ margin: "0.3rem 0 0" }}>
        {formatMoney(spent)} spent of {formatMoney(amount)} ({formatPercent(spent / amount)}); forecast{" "}
        {formatMoney(forecast)} ({formatPercent(forecast / amount)}). Thresholds{" "}
        {thresholds.map((t) => formatPercent(t)).join(", ")}.
      </p>
    </div>
  );
}
