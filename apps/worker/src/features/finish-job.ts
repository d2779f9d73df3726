import {
  NO_MEASURABLE_SAVING,
  checkGuardrail,
  composeRatios,
  effectiveCosts,
  latestMeasurement,
  measuredSaving,
  pickBest,
  savingOf,
  type MetricName,
  type RatioInterval,
} from "@costgate/core";
import type { Prisma } from "@costgate/db";
import { costGate, emitJobFinished, promoteVersion, writeAudit } from "@costgate/services";
import type { WorkerDeps } from "../deps.ts";

type Outcome = { cancelled?: boolean; error?: string };

/** Only a job still QUEUED or RUNNING is ended here: a status someone else set (CANCELLED by the API, say) is never overwritten. */
const OPEN: Prisma.OptimizationJobWhereInput = { status: { in: ["QUEUED", "RUNNING"] } };

class AlreadyEnded extends Error {}

/** Runs `write` in a transaction that is rolled back when the job was ended meanwhile; false then. */
async function whileOpen(
  db: WorkerDeps["db"],
  jobId: string,
  data: Prisma.OptimizationJobUncheckedUpdateManyInput,
  write: (tx: Prisma.TransactionClient) => Promise<unknown>,
): Promise<boolean> {
  try {
    await db.$transaction(async (tx) => {
      const { count } = await tx.optimizationJob.updateMany({ where: { id: jobId, ...OPEN }, data });
      if (count === 0) throw new AlreadyEnded();
      await write(tx);
    });
    return true;
  } catch (e) {
    if (e instanceof AlreadyEnded) return false;
    throw e;
  }
}

/**
 * Ends a job: SUCCEEDED with its bestVersion and a per-step result, CANCELLED (the versions
 * already made stay, marked as made by a cancelled job), or FAILED with a readable error.
 * The best candidate is the cheapest on the policy's hardware profile (this worker's profile
 * when the policy names none) within the accuracy guardrail; candidates outside it are
 * REJECTED with the reason. A step that saved no measured cost says so.
 */
export async function finishJob(deps: WorkerDeps, jobId: string, outcome: Outcome): Promise<void> {
  const { db } = deps;
  const job = await db.optimizationJob.findUniqueOrThrow({ where: { id: jobId }, include: { policy: true } });
  const candidates = await db.modelVersion.findMany({
    where: { jobId },
    orderBy: { stepIndex: "asc" },
    include: { evaluations: true, costs: true, comparisons: { orderBy: { measuredAt: "desc" } } },
  });
  const now = new Date();

  if (outcome.error || outcome.cancelled) {
    const data: Prisma.OptimizationJobUpdateManyMutationInput = outcome.cancelled
      ? {
          status: "CANCELLED",
          stage: `Cancelled after ${candidates.length} of ${(job.steps as unknown[]).length} step(s)`,
          finishedAt: now,
        }
      : { status: "FAILED", error: outcome.error ?? null, stage: "Failed", finishedAt: now };
    const ended = await whileOpen(db, jobId, data, async (tx) => {
      if (outcome.cancelled && candidates.length) {
        await tx.modelVersion.updateMany({
          where: { jobId },
          data: { statusMessage: `Made by optimization job ${jobId}, which was cancelled` },
        });
      }
      await writeAudit(tx, {
        actor: "system",
        action: outcome.cancelled ? "job.cancelled" : "job.failed",
        entityType: "OptimizationJob",
        entityId: jobId,
        teamId: job.policy.teamId,
        after: { error: outcome.error ?? null },
      });
    });
    if (ended) await emitJobFinished(deps, jobId);
    return;
  }

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
  if (!sourceEval || !sourceCost) {
    await finishJob(deps, jobId, {
      error:
        "The source version has no evaluation or cost measurement to compare candidates with (register an EVALUATION dataset, or an UNLABELED one to compare by agreement with the source)",
    });
    return;
  }

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
  };

  const succeeded = await whileOpen(
    db,
    jobId,
    {
      status: "SUCCEEDED",
      progress: 1,
      stage: best
        ? `Done: best is version ${best.number} at $${best.costPerMillionUsd}/1M`
        : noSaving
          ? `Done: no candidate saves measurable cost against version ${source.number} (differences within the measurement's 95% interval)`
          : "Done: no candidate stayed within the accuracy guardrail",
      bestVersionId: best?.id ?? null,
      result: result as unknown as Prisma.InputJsonValue,
      finishedAt: now,
    },
    async (tx) => {
      for (const r of rows) {
        if (!r.verdict.ok)
          await tx.modelVersion.update({
            where: { id: r.id },
            data: { stage: "REJECTED", statusMessage: `Rejected by the accuracy guardrail: ${r.verdict.reason}` },
          });
      }
      await writeAudit(tx, {
        actor: "system",
        action: "job.succeeded",
        entityType: "OptimizationJob",
        entityId: jobId,
        teamId: job.policy.teamId,
        after: { bestVersionId: best?.id ?? null },
      });
    },
  );
  if (!succeeded) return;
  await emitJobFinished(deps, jobId);

  if (best && job.policy.autoPromote) {
    try {
      // Through the same cost gate as a person's promotion, never overridden: a block ends up in the job's stage below.
      await promoteVersion(
        { db, producer: deps.producer, gate: costGate() },
        { actor: "system" },
        { versionId: best.id, stage: "PRODUCTION" },
      );
    } catch (e) {
      await db.optimizationJob.update({
        where: { id: jobId },
        data: { stage: `Done, but auto-promotion of version ${best.number} was refused: ${(e as Error).message}` },
      });
    }
  }
}

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
