import { MoneyDecimal } from "./decimal.ts";

/**
 * Metrics the evaluator reports: accuracy (higher is better), mse (lower is better), and
 * agreement with the job's source version on an UNLABELED dataset (higher is better; 1 = the
 * same answers), used when the model has no labelled EVALUATION dataset.
 */
export type MetricName = "accuracy" | "mse" | "agreement";

/** Whether a higher value of the metric is better. */
const higherIsBetter = (metric: string): boolean => metric !== "mse";

export interface GuardrailVerdict {
  ok: boolean;
  /** The drop as the guardrail counts it: points of accuracy, or the relative mse increase. */
  drop: number;
  reason: string;
}

/**
 * The accuracy guardrail of a policy. For accuracy the drop is absolute (0.01 = one point);
 * for mse it is the relative increase ((candidate - source) / source); for agreement the
 * source agrees with itself (1) and the drop is 1 - agreement, in points like accuracy.
 */
export function checkGuardrail(
  metric: MetricName,
  source: number,
  candidate: number,
  maxDrop: number,
): GuardrailVerdict {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  if (metric === "agreement") {
    const drop = source - candidate;
    return {
      ok: drop <= maxDrop + 1e-12,
      drop,
      reason: `agreement with the source version ${pct(candidate)} on its UNLABELED dataset (no labelled EVALUATION dataset): ${drop > 0 ? `${(drop * 100).toFixed(2)} points of disagreement` : "no disagreement"} (allowed ${(maxDrop * 100).toFixed(2)} points)`,
    };
  }
  if (metric === "accuracy") {
    const drop = source - candidate;
    const ok = drop <= maxDrop + 1e-12;
    return {
      ok,
      drop,
      reason: `accuracy ${pct(candidate)} vs source ${pct(source)}: ${drop > 0 ? `drop of ${(drop * 100).toFixed(2)} points` : "no drop"} (allowed ${(maxDrop * 100).toFixed(2)} points)`,
    };
  }
  const drop = source > 0 ? (candidate - source) / source : candidate > 0 ? Infinity : 0;
  const ok = drop <= maxDrop + 1e-12;
  return {
    ok,
    drop,
    reason: `mse ${candidate.toPrecision(4)} vs source ${source.toPrecision(4)}: ${drop > 0 ? `${pct(drop)} higher` : "no increase"} (allowed ${pct(maxDrop)})`,
  };
}

export interface Candidate {
  id: string;
  costPerMillionUsd: string;
  verdict: GuardrailVerdict;
  /** The candidate's metric: breaks ties between candidates of equal cost. */
  metric?: number | null;
}

/**
 * The cheapest candidate (costPerMillionUsd, compared as Decimal) that passes the guardrail;
 * null when none does. Of candidates that cost the same, the one with the better metric.
 */
export function pickBest<C extends Candidate>(candidates: readonly C[], metric: MetricName = "accuracy"): C | null {
  let best: C | null = null;
  const better = (a: number | null | undefined, b: number | null | undefined) =>
    a != null && (b == null || (higherIsBetter(metric) ? a > b : a < b));
  for (const c of candidates) {
    if (!c.verdict.ok) continue;
    const cost = new MoneyDecimal(c.costPerMillionUsd);
    if (!best || cost.lt(best.costPerMillionUsd) || (cost.eq(best.costPerMillionUsd) && better(c.metric, best.metric)))
      best = c;
  }
  return best;
}

/**
 * Whether a step saved measured cost against its input. Differences inside the measurement's
 * own noise (the larger spread of the two, at least 3%) are not a saving: unstructured pruning
 * and quantization make the same dense kernels run, and the product says so.
 */
export function measuredSaving(
  before: { costPerMillionUsd: string; spread?: number | null },
  after: { costPerMillionUsd: string; spread?: number | null },
) {
  const b = new MoneyDecimal(before.costPerMillionUsd);
  const a = new MoneyDecimal(after.costPerMillionUsd);
  const relative = b.isZero() ? 0 : b.minus(a).div(b).toNumber();
  const noise = Math.max(0.03, before.spread ?? 0, after.spread ?? 0);
  return { saves: relative > noise, relative, noise };
}
