// A budget's spend this period as a bar scaled to the budget: the budget is always the same share
// of the bar (BUDGET_SHARE), so 55% spent draws as 55% of it, the 50/80/100% marks sit where they
// belong, and budgets side by side compare. Past the budget the bar has a short overflow zone up to
// OVERFLOW_MAX of the budget; a forecast (or spend) beyond that is capped at the bar's end with an
// arrow and its number. The numbers are also in the text under the bar, for every reader.
import { spreadLabels } from "@/lib/label-layout";
import { formatMoney, formatPercent } from "@/lib/format";

/** Share of the bar's width that is the budget (100%). */
const BUDGET_SHARE = 0.8;
/** What the bar's full width stands for, as a fraction of the budget. */
const OVERFLOW_MAX = 1 / BUDGET_SHARE;
/**
 * Closest two threshold labels may be, in % of the bar, by the bar's width (a container query in
 * globals.css shows the layout that fits): at least about 34 px apart, room for "100%", at every width.
 */
const LABEL_GAPS = { wide: 5, mid: 10, narrow: 16 } as const;

/** Where a fraction of the budget is drawn, in % of the bar's width (capped at its end). */
const at = (fraction: number) => Math.min(100, Math.max(0, fraction * BUDGET_SHARE * 100));

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
  const spentShare = amount > 0 ? spent / amount : 0;
  const forecastShare = amount > 0 ? forecast / amount : 0;
  const tone = state === "EXCEEDED" ? "bad" : state === "AT_RISK" ? "warn" : "";
  const marks = [...new Set([...thresholds, 1])].sort((a, b) => a - b);
  const layouts = Object.entries(LABEL_GAPS).map(
    ([tier, gap]) =>
      [
        tier,
        spreadLabels(
          marks.map((t) => at(t)),
          gap,
          gap / 2,
          100 - gap / 2,
        ),
      ] as const,
  );
  const forecastCapped = forecastShare > OVERFLOW_MAX;
  const spentCapped = spentShare > OVERFLOW_MAX;
  const over = forecastShare > 1;
  return (
    <div className="budget-meter">
      {over ? (
        <div className="meter-over" aria-hidden="true">
          <span className="meter-over-label">
            {spentShare > 1 ? `Spent ${formatPercent(spentShare)} · ` : ""}Forecast {formatMoney(forecast)} (
            {formatPercent(forecastShare)}){forecastCapped ? " ▸" : ""}
          </span>
        </div>
      ) : null}
      <div className="meter" aria-hidden="true">
        <div className="meter-budget" style={{ width: `${at(1)}%` }} />
        <div className={`forecast${forecastCapped ? " capped" : ""}`} style={{ width: `${at(forecastShare)}%` }} />
        <div className={`spent ${tone}${spentCapped ? " capped" : ""}`} style={{ width: `${at(spentShare)}%` }} />
        {marks.map((t) => (
          <div key={t} className={`mark${t === 1 ? " budget" : ""}`} style={{ left: `${at(t)}%` }} data-threshold={t} />
        ))}
      </div>
      <div className="meter-labels" aria-hidden="true">
        {layouts.map(([tier, left]) =>
          marks.map((t, i) => (
            <span key={`${tier}${t}`} className={`meter-label ${tier}`} style={{ left: `${left[i]}%` }}>
              {formatPercent(t)}
            </span>
          )),
        )}
      </div>
      <p className="small muted" style={{ margin: "0.3rem 0 0" }}>
        {formatMoney(spent)} spent of {formatMoney(amount)} ({formatPercent(spentShare)}); forecast{" "}
        {formatMoney(forecast)} ({formatPercent(forecastShare)}){forecastCapped ? ", beyond the end of the bar" : ""}.
        Thresholds {thresholds.map((t) => formatPercent(t)).join(", ")}.
      </p>
    </div>
  );
}
