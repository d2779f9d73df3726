import type { JobSummary } from "../job-summary.ts";
import { describeExcess } from "@costgate/core";

/** "best so far v7 $0.001200/1M (−41%)", or what there is instead, from the job's summary. */
export function bestSoFar(summary: JobSummary | null): string {
  if (!summary || summary.rows.length === 0) return "no candidate yet";
  const { best, bestEffort, metric } = summary;
  const off = (r: number | undefined) => (r === undefined ? "" : ` (−${Math.round(r * 100)}%)`);
  if (best) return `best so far v${best.number} $${best.costPerMillionUsd}/1M${off(best.vsSource?.relative)}`;
  if (bestEffort)
    return `closest so far v${bestEffort.number} $${bestEffort.costPerMillionUsd}/1M${off(bestEffort.vsSource?.relative)}, guardrail missed by ${describeExcess(metric, bestEffort.excess)}`;
  return "no measurable saving within the guardrail yet";
}

/** "Trial 3 of ≤ 12 · best so far v7 $0.001200/1M (−41%) · prune 50%: fine-tuning: epoch 1/2, …" */
export function trialStage(trial: number, limit: number, best: string, doing: string): string {
  return `Trial ${trial} of ≤ ${limit} · ${best} · ${doing}`;
}
