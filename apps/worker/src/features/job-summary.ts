import {
  NO_MEASURABLE_SAVING,
  checkGuardrail,
  composeRatios,
  effectiveCosts,
  latestMeasurement,
  measuredSaving,
  paretoFrontier,
  pickBest,
  pickBestEffort,
  savingOf,
  type MetricName,
  type RatioInterval,
} from "@costgate/core";
import type { OptimizationJob, OptimizationPolicy } from "@costgate/db";
import type { WorkerDeps } from "../deps.ts";

/**
 * What a job's candidates amount to, from what is stored: each candidate's metric against the
 * guardrail and its measured saving (against its input and, composed along the lineage, against
 * the source), the best pick, the best effort when nothing met the guardrail, and the Pareto
 * frontier. finishJob stores it when the job ends; a SEARCH writes it after every trial, so the
 * frontier and the best so far show while it runs. Null when the source has no evaluation or cost
 * to compare with.
 */
export async function summarizeJob(deps: WorkerDeps, job: OptimizationJob & { policy: OptimizationPolicy }) {
  const { db } = deps;
  const candidates = await db.modelVersion.findMany({
    where: { jobId: job.id },
    orderBy: { stepIndex: "asc" },
    include: { evaluations: true, costs: true, comparisons: { orderBy: { measuredAt: "desc" } } },
  });
  const profileId = job.policy.hardwareProfileId ?? deps.profile.id;
  const source = await db.modelVersion.findUniqueOrThrow({
    where: { id: job.sourceVersionId },
    include: { evaluations: true, costs: true, comparisons: { orderBy: { measuredAt: "desc" } } },
  });
  const latestCost = (v: typeof source, pid: string) =>
    latestMeasurement(v.costs.filter((c) => c.hardwareProfileId === pid));
  // Costs are measured by workers on their own hardware; fall back to this worker's profile if the policy's was not measured.
  const measuredOnPolicyProfile = [source, ...candidates].every((v) => latestCost(v, profileId));
  const pid = measuredOnPolicyProfile ? profileId : deps.profile.id;
  const sourceCost = latestCost(source, pid);
  const sourceEval = guardrailBasis(source, candidates);
  if (!sourceEval || !sourceCost) return null;

  const byId = new Map([source, ...candidates].map((v) => [v.id, v]));
  const metric = sourceEval.metric as MetricName;
  const lineage = new Map<string, RatioInterval[]>([[source.id, []]]);
  const rows = candidates.map((v) => {
    const evaluation = v.evaluations.find(
      (e) => e.datasetId === sourceEval.datasetId && e.metric === sourceEval.metric,
    );
    const cost = latestCost(v, pid);
    const parent = v.parentId ? byId.get(v.parentId) : undefined;
    const parentCost = parent ? latestCost(parent, pid) : undefined;
    const comparison = v.comparisons.find((c) => c.hardwareProfileId === pid && c.parentId === v.parentId) ?? null;
    const verdict = evaluation
      ? checkGuardrail(metric, sourceEval.value, evaluation.value, job.policy.maxAccuracyDrop)
      : { ok: false, drop: NaN, reason: "not evaluated on the source's evaluation dataset" };
    const costPerMillionUsd = cost ? cost.costPerMillionUsd.toFixed(6) : "Infinity";
    let vsParent: { relative: number; saves: boolean; low?: number; high?: number } | null = null;
    let vsSource: { relative: number; saves: boolean; low?: number; high?: number } | null = null;
    const chain = parent ? lineage.get(parent.id) : undefined;
    if (comparison) {
      vsParent = savingOf(comparison);
      if (chain) {
        lineage.set(v.id, [...chain, comparison]);
        vsSource = savingOf(composeRatios([...chain, comparison]));
      }
    } else if (cost && parentCost) {
      // Measured before paired measurements existed (or on another profile): compare the two numbers, noise-aware.
      vsParent = measuredSaving(
        { costPerMillionUsd: parentCost.costPerMillionUsd.toFixed(6), spread: parentCost.spread },
        { costPerMillionUsd, spread: cost.spread },
      );
    }
    if (!vsSource && cost)
      vsSource = measuredSaving(
        { costPerMillionUsd: sourceCost.costPerMillionUsd.toFixed(6), spread: sourceCost.spread },
        { costPerMillionUsd, spread: cost.spread },
      );
    return {
      id: v.id,
      number: v.number,
      stepIndex: v.stepIndex,
      source: v.source,
      parentId: v.parentId,
      metric: evaluation?.value ?? null,
      costPerMillionUsd,
      verdict,
      comparison,
      vsParent,
      vsSource,
      cost,
    };
  });
  // A step whose paired measurement against its input shows no significant change costs what
  // its input costs: it is never picked for a saving that is only noise.
  const effective = effectiveCosts([
    { id: source.id, parentId: null, costPerMillionUsd: sourceCost.costPerMillionUsd.toFixed(6), comparison: null },
    ...rows.map((r) => ({
      id: r.id,
      parentId: r.parentId,
      costPerMillionUsd: r.costPerMillionUsd,
      comparison: r.comparison,
    })),
  ]);
  const pick = pickBest(
    rows.filter((r) => r.cost).map((r) => ({ ...r, costPerMillionUsd: effective.get(r.id) ?? r.costPerMillionUsd })),
    metric,
  );
  // Only a candidate that costs measurably less than the source is proposed.
  const best = pick && pick.vsSource?.saves ? rows.find((r) => r.id === pick.id)! : null;
  const noSaving = pick !== null && best === null;
  const choiceRows = rows.map((r) => ({
    ...r,
    costPerMillionUsd: r.cost ? (effective.get(r.id) ?? r.costPerMillionUsd) : null,
    savesVsSource: r.vsSource?.saves ?? false,
  }));
  const frontier = paretoFrontier(choiceRows, metric).map((r) => rows.find((x) => x.id === r.id)!);
  const effort = best ? null : pickBestEffort(choiceRows, job.policy.maxAccuracyDrop);
  const bestEffort = effort ? { ...rows.find((r) => r.id === effort.id)!, excess: effort.excess } : null;

  const result = {
    hardwareProfileId: pid,
    measuredOnPolicyProfile,
    metric: sourceEval.metric,
    ...(sourceEval.metric === "agreement" ? { metricNote: AGREEMENT_NOTE } : {}),
    source: {
      versionId: source.id,
      number: source.number,
      metric: sourceEval.value,
      costPerMillionUsd: sourceCost.costPerMillionUsd.toFixed(6),
    },
    maxAccuracyDrop: job.policy.maxAccuracyDrop,
    steps: rows.map((r) => ({
      stepIndex: r.stepIndex,
      kind: r.source,
      versionId: r.id,
      number: r.number,
      metric: r.metric,
      costPerMillionUsd: r.costPerMillionUsd,
      withinGuardrail: r.verdict.ok,
      reason: r.verdict.reason,
      savingVsInput: r.vsParent ? { relative: round(r.vsParent.relative), measured: r.vsParent.saves } : null,
      savingVsSource: r.vsSource ? { relative: round(r.vsSource.relative), measured: r.vsSource.saves } : null,
      vsInput: r.comparison
        ? {
            throughputRatio: round(r.comparison.throughputRatio),
            low: round(r.comparison.low),
            high: round(r.comparison.high),
            significant: r.comparison.significant,
          }
        : null,
      note: r.vsParent && !r.vsParent.saves ? NO_MEASURABLE_SAVING : undefined,
    })),
    bestVersionId: best?.id ?? null,
    bestSavesCost: best?.vsSource?.saves ?? false,
    frontier: frontier.map((r) => r.id),
    bestEffortVersionId: bestEffort?.id ?? null,
    bestEffortExcess: bestEffort ? round(bestEffort.excess) : null,
  };
  return { source, metric, rows, best, bestEffort, noSaving, frontier, result };
}

export type JobSummary = NonNullable<Awaited<ReturnType<typeof summarizeJob>>>;

const round = (x: number) => Math.round(x * 10_000) / 10_000;

const AGREEMENT_NOTE =
  "The model has no EVALUATION dataset: the guardrail used agreement with the source version (share of the UNLABELED dataset's inputs where the candidate's predicted class equals the source's; regression: R² of the source's outputs)";

type Evaluated = { evaluations: { datasetId: string; metric: string; value: number }[] };

/**
 * What the guardrail compares: the source's evaluation on a labelled EVALUATION dataset when it
 * has one; otherwise, when the candidates were evaluated by agreement with the source (the model
 * has only an UNLABELED dataset), agreement, for which the source scores 1 by definition.
 */
function guardrailBasis(
  source: Evaluated,
  candidates: Evaluated[],
): { datasetId: string; metric: string; value: number } | undefined {
  const labelled = source.evaluations.find((e) => e.metric !== "agreement");
  if (labelled) return labelled;
  const agreement = candidates.flatMap((c) => c.evaluations).find((e) => e.metric === "agreement");
  return agreement ? { datasetId: agreement.datasetId, metric: "agreement", value: 1 } : undefined;
}
