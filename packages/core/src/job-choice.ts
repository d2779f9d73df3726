import { MoneyDecimal } from "./decimal.ts";
import type { GuardrailVerdict, MetricName } from "./guardrail.ts";

/**
 * What a job proposes from its candidates, beside the best pick (pickBest in guardrail.ts):
 * the Pareto frontier of cost and metric, and a best effort when nothing met the guardrail.
 * Costs here are the ones candidates count with (effectiveCosts: a step whose saving is not
 * significant costs what its input costs).
 */
export interface ChoiceRow {
  id: string;
  /** Effective $/1M as a decimal string; null when not measured. */
  costPerMillionUsd: string | null;
  /** The guardrail's metric; null when not evaluated. */
  metric: number | null;
  verdict: GuardrailVerdict;
  /** Measurably cheaper than the job's source (composed along the lineage). */
  savesVsSource: boolean;
}

const higherIsBetter = (metric: MetricName) => metric !== "mse";

/**
 * The candidates no other candidate beats on both cost and metric (at most as costly and at
 * least as good, better in one of them), cheapest first; ties on cost go to the better metric.
 * Candidates without a cost or a metric are left out. Two candidates equal in both stay.
 */
export function paretoFrontier<R extends ChoiceRow>(rows: readonly R[], metric: MetricName): R[] {
  const known = rows.filter(
    (r): r is R & { costPerMillionUsd: string; metric: number } =>
      r.costPerMillionUsd !== null && r.costPerMillionUsd !== "Infinity" && r.metric !== null,
  );
  const better = (a: number, b: number) => (higherIsBetter(metric) ? a > b : a < b);
  const cost = (r: { costPerMillionUsd: string }) => new MoneyDecimal(r.costPerMillionUsd);
  const beats = (b: (typeof known)[number], a: (typeof known)[number]) => {
    const cheaper = cost(b).lt(cost(a));
    const asCheap = cheaper || cost(b).eq(cost(a));
    const asGood = b.metric === a.metric || better(b.metric, a.metric);
    return asCheap && asGood && (cheaper || better(b.metric, a.metric));
  };
  return known
    .filter((a) => !known.some((b) => b !== a && beats(b, a)))
    .sort(
      (a, b) => cost(a).comparedTo(cost(b)) || (better(a.metric, b.metric) ? -1 : better(b.metric, a.metric) ? 1 : 0),
    );
}

/**
 * When no candidate met the guardrail: of those measurably cheaper than the source, the one
 * closest to the guardrail (smallest drop beyond it; then the cheaper). Null when none saves:
 * a version that misses the guardrail and saves nothing is no proposal.
 */
export function pickBestEffort<R extends ChoiceRow>(
  rows: readonly R[],
  maxDrop: number,
): (R & { excess: number }) | null {
  let best: (R & { excess: number }) | null = null;
  for (const r of rows) {
    if (r.verdict.ok || !r.savesVsSource || !Number.isFinite(r.verdict.drop) || r.costPerMillionUsd === null) continue;
    const excess = r.verdict.drop - maxDrop;
    if (
      !best ||
      excess < best.excess - 1e-12 ||
      (Math.abs(excess - best.excess) <= 1e-12 && new MoneyDecimal(r.costPerMillionUsd).lt(best.costPerMillionUsd!))
    )
      best = { ...r, excess };
  }
  return best;
}

/** "2.40 points" (accuracy, agreement) or "12.0% of the source's mse": how far a best effort misses the guardrail. */
export function describeExcess(metric: MetricName, excess: number): string {
  return metric === "mse" ? `${(excess * 100).toFixed(1)}% of the source's mse` : `${(excess * 100).toFixed(2)} points`;
}
