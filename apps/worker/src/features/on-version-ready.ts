import { isAppError } from "@costgate/core";
import { createOptimizationJob, writeAudit } from "@costgate/services";
import type { WorkerDeps } from "../deps.ts";

/**
 * Trigger NEW_VERSION: when a version becomes READY, every enabled NEW_VERSION policy of its
 * model (or of its team, for policies that name no model) runs on it — once (the trigger key
 * is unique), and never on versions a policy made. A policy that cannot run on it (say, no
 * TRAIN dataset for a fine-tuning step) is recorded in the audit log with the reason.
 */
export async function onVersionReady(deps: WorkerDeps, versionId: string): Promise<void> {
  const { db } = deps;
  const version = await db.modelVersion.findUnique({ where: { id: versionId }, include: { model: true } });
  if (!version || version.jobId || version.status !== "READY") return;
  const policies = await db.optimizationPolicy.findMany({
    where: {
      enabled: true,
      trigger: "NEW_VERSION",
      teamId: version.model.teamId,
      OR: [{ modelId: version.modelId }, { modelId: null }],
    },
  });
  for (const policy of policies) {
    try {
      await createOptimizationJob(
        { db, producer: deps.producer },
        {
          policy,
          sourceVersion: version,
          triggeredBy: `new-version:${version.id}`,
          triggerKey: `new-version:${policy.id}:${version.id}`,
          actor: "system",
        },
      );
    } catch (e) {
      const reason = isAppError(e) ? e.message : (e as Error).message;
      deps.logger.warn({ policyId: policy.id, versionId, reason }, "NEW_VERSION policy not run");
      await writeAudit(db, {
        actor: "system",
        action: "policy.trigger_refused",
        entityType: "OptimizationPolicy",
        entityId: policy.id,
        teamId: version.model.teamId,
        after: { versionId, reason },
      });
    }
  }
}
