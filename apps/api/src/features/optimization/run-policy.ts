import { assertVisible, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import type { Producer } from "@costgate/queue";
import { createOptimizationJob } from "@costgate/services";

/**
 * A manual run: the policy and the version must be the caller's team's; services'
 * createOptimizationJob then checks the policy can run (enabled, model, READY source,
 * TRAIN/EVALUATION datasets) before writing the QUEUED job and enqueueing it.
 */
export async function runOptimizationPolicy(
  deps: { db: Db; producer: Producer },
  principal: Principal,
  args: { policyId: string; versionId: string },
) {
  const policy = await deps.db.optimizationPolicy.findUnique({ where: { id: args.policyId } });
  assertVisible(principal, policy, (r) => r.teamId, "Optimization policy", args.policyId);
  const version = await deps.db.modelVersion.findUnique({
    where: { id: args.versionId },
    include: { model: { select: { teamId: true } } },
  });
  assertVisible(principal, version, (r) => r.model.teamId, "Model version", args.versionId);
  const { model: _model, ...sourceVersion } = version;
  return createOptimizationJob(deps, { policy, sourceVersion, triggeredBy: "manual", actor: principal.actor });
}
