import { isAppError, type BudgetStatusValue } from "@costgate/core";
import type { Budget } from "@costgate/db";
import { createOptimizationJob, spendByModel, writeAudit } from "@costgate/services";
import type { WorkerDeps } from "../deps.ts";

/** How many of the costliest production versions a budget's policy runs on. */
const AUTO_OPTIMIZE_TOP_VERSIONS = 3;

type Outcome = { versionId: string; modelId: string; costUsd: string; jobId?: string; refused?: string };

/**
 * AUTO_OPTIMIZE, once per budget and period: the check that inserts the period's
 * BudgetTrigger (ON CONFLICT DO NOTHING) runs the budget's policy on the PRODUCTION versions of
 * the covered models that spent the most this period (daily rollups, of the budget's tag when it
 * has one; top 3 by cost), each job
 * with triggeredBy budget:<id> and a trigger key per budget, period and version. What happened
 * (jobs, refusals, no policy, no production version) is one `budget.auto_optimize` audit event.
 * If running fails outright the trigger is removed so the next check tries again; the jobs it
 * may have made are found again by their trigger keys, never made twice.
 */
export async function autoOptimize(
  deps: Pick<WorkerDeps, "db" | "producer" | "logger">,
  budget: Budget,
  status: BudgetStatusValue,
): Promise<boolean> {
  const { db } = deps;
  const [trigger] = await db.budgetTrigger.createManyAndReturn({
    data: [{ budgetId: budget.id, periodStart: status.start, action: "AUTO_OPTIMIZE" }],
    skipDuplicates: true,
  });
  if (!trigger) return false;
  try {
    const record = await run(deps, budget, status);
    await db.$transaction((tx) =>
      writeAudit(tx, {
        actor: "system",
        action: "budget.auto_optimize",
        entityType: "Budget",
        entityId: budget.id,
        teamId: budget.teamId,
        after: record,
      }),
    );
    deps.logger.info({ budgetId: budget.id, ...record }, "AUTO_OPTIMIZE ran");
    return true;
  } catch (e) {
    await db.budgetTrigger.delete({ where: { id: trigger.id } }).catch(() => undefined);
    throw e;
  }
}

async function run(deps: Pick<WorkerDeps, "db" | "producer" | "logger">, budget: Budget, status: BudgetStatusValue) {
  const { db } = deps;
  const base = {
    periodStart: status.start.toISOString(),
    state: status.state,
    spentUsd: status.spentUsd.toFixed(6),
    forecastUsd: status.forecastUsd.toFixed(6),
    policyId: budget.policyId,
  };
  const policy = budget.policyId ? await db.optimizationPolicy.findUnique({ where: { id: budget.policyId } }) : null;
  if (!policy)
    return {
      ...base,
      outcome: "no policy: set the budget's policyId to let AUTO_OPTIMIZE run one",
      versions: [] as Outcome[],
    };

  // Models of the budget's scope (the policy's model only, when it names one) ranked by this
  // period's spend — of the budget's tag, for a budget scoped to one.
  const ranked = await spendByModel(db, budget, status.start, status.end, policy.modelId);
  const production = await db.modelVersion.findMany({
    where: { modelId: { in: ranked.map((r) => r.modelId) }, stage: "PRODUCTION" },
  });
  const targets = ranked
    .map((r) => ({
      version: production.find((v) => v.modelId === r.modelId),
      modelId: r.modelId,
      costUsd: r.spentUsd.toFixed(6),
    }))
    .filter((t): t is typeof t & { version: NonNullable<typeof t.version> } => t.version !== undefined)
    .slice(0, AUTO_OPTIMIZE_TOP_VERSIONS);
  if (!targets.length) {
    return {
      ...base,
      outcome: `no PRODUCTION version among the ${ranked.length} model(s) that spent this period: nothing to optimize`,
      versions: [] as Outcome[],
    };
  }

  const versions: Outcome[] = [];
  for (const t of targets) {
    try {
      const job = await createOptimizationJob(
        { db, producer: deps.producer },
        {
          policy,
          sourceVersion: t.version,
          triggeredBy: `budget:${budget.id}`,
          triggerKey: `budget:${budget.id}:${status.start.toISOString()}:${t.version.id}`,
          actor: "system",
        },
      );
      versions.push({ versionId: t.version.id, modelId: t.modelId, costUsd: t.costUsd, jobId: job.id });
    } catch (e) {
      if (!isAppError(e)) throw e;
      versions.push({ versionId: t.version.id, modelId: t.modelId, costUsd: t.costUsd, refused: e.message });
    }
  }
  const started = versions.filter((v) => v.jobId).length;
  return {
    ...base,
    outcome: `policy "${policy.name}" started on ${started} of ${versions.length} production version(s)`,
    versions,
  };
}
