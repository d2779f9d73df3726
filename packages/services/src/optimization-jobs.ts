import { AppError, ErrorCode, badInput, parsePolicySteps } from "@costgate/core";
import { Prisma, type Db, type ModelVersion, type OptimizationJob, type OptimizationPolicy } from "@costgate/db";
import type { Producer } from "@costgate/queue";
import { writeAudit } from "./audit.ts";

export interface CreateJobArgs {
  policy: OptimizationPolicy;
  sourceVersion: ModelVersion;
  /** manual, budget:<id> or new-version:<id> */
  triggeredBy: string;
  /** Unique: a trigger that fires twice runs the policy once (the existing job is returned). */
  triggerKey?: string;
  actor: string;
}

/**
 * Runs a policy on a version: checks it can run (enabled, same team and model, a READY
 * source, the datasets its steps need), creates the job row QUEUED with a snapshot of the
 * steps and its audit event in one transaction, then enqueues `optimize`. Refusals happen
 * before anything is written or enqueued. Used by the API (manual runs) and the worker
 * (NEW_VERSION and budget triggers).
 */
export async function createOptimizationJob(
  deps: { db: Db; producer: Producer },
  args: CreateJobArgs,
): Promise<OptimizationJob> {
  const { db, producer } = deps;
  const { policy, sourceVersion } = args;
  const model = await db.model.findUniqueOrThrow({ where: { id: sourceVersion.modelId } });
  if (!policy.enabled)
    throw badInput(`Policy "${policy.name}" is disabled: enable it with updateOptimizationPolicy first`, {
      field: "policyId",
    });
  if (policy.teamId !== model.teamId)
    throw new AppError(ErrorCode.FORBIDDEN, `Policy "${policy.name}" belongs to another team than model ${model.name}`);
  if (policy.modelId && policy.modelId !== model.id)
    throw badInput(`Policy "${policy.name}" is for another model, not ${model.name}`, { field: "versionId" });
  if (sourceVersion.status !== "READY") {
    throw badInput(
      `Version ${sourceVersion.number} of ${model.name} is ${sourceVersion.status}: a policy runs on a READY version (evaluated and measured)`,
      { field: "versionId" },
    );
  }
  const steps = parsePolicySteps(policy.steps);
  const roles = new Set(
    (await db.dataset.findMany({ where: { modelId: model.id }, select: { role: true } })).map((d) => d.role),
  );
  const fineTune = steps.findIndex((s) => s.kind === "FINE_TUNE");
  if (fineTune >= 0 && !roles.has("TRAIN")) {
    throw badInput(
      `steps[${fineTune + 1}] (FINE_TUNE) needs a TRAIN dataset, and model ${model.name} has none: register one with registerDataset(role: TRAIN)`,
      { field: "policyId", step: fineTune + 1 },
    );
  }
  const distill = steps.findIndex((s) => s.kind === "DISTILL");
  if (distill >= 0 && !roles.has("TRAIN") && !roles.has("UNLABELED")) {
    throw badInput(
      `steps[${distill + 1}] (DISTILL) needs inputs, and model ${model.name} has neither a TRAIN nor an UNLABELED dataset: register one with registerDataset (role: UNLABELED takes inputs without labels)`,
      { field: "policyId", step: distill + 1 },
    );
  }
  const search = steps[0]?.kind === "SEARCH" ? steps[0].params : null;
  if (search?.recovery === "fine_tune" && !roles.has("TRAIN")) {
    throw badInput(
      `steps[1] (SEARCH) recovers with fine_tune, which needs a TRAIN dataset, and model ${model.name} has none: register one, or use recovery "auto" (distill from UNLABELED inputs, or none)`,
      { field: "policyId", step: 1 },
    );
  }
  if (search?.recovery === "distill" && !roles.has("TRAIN") && !roles.has("UNLABELED")) {
    throw badInput(
      `steps[1] (SEARCH) recovers with distill, which needs inputs, and model ${model.name} has neither a TRAIN nor an UNLABELED dataset: register one, or use recovery "auto" or "none"`,
      { field: "policyId", step: 1 },
    );
  }
  // Without labelled data, the guardrail compares agreement with the source on the UNLABELED inputs.
  if (!roles.has("EVALUATION") && !roles.has("UNLABELED")) {
    throw badInput(
      `Model ${model.name} has no EVALUATION dataset, so the accuracy guardrail cannot be checked: register one with registerDataset(role: EVALUATION), or an UNLABELED one to compare by agreement with the source version`,
      { field: "policyId" },
    );
  }

  let job: OptimizationJob;
  try {
    job = await db.$transaction(async (tx) => {
      const created = await tx.optimizationJob.create({
        data: {
          policyId: policy.id,
          sourceVersionId: sourceVersion.id,
          steps: steps as unknown as Prisma.InputJsonValue,
          triggeredBy: args.triggeredBy,
          triggerKey: args.triggerKey ?? null,
          createdBy: args.actor,
          stage: "Queued",
        },
      });
      await writeAudit(tx, {
        actor: args.actor,
        action: "job.create",
        entityType: "OptimizationJob",
        entityId: created.id,
        teamId: model.teamId,
        after: created,
      });
      return created;
    });
  } catch (e) {
    if (args.triggerKey && e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") {
      return db.optimizationJob.findUniqueOrThrow({ where: { triggerKey: args.triggerKey } });
    }
    throw e;
  }

  try {
    await producer.optimizeJob(job.id);
  } catch (e) {
    // Not left QUEUED forever: say why it will not run.
    return db.optimizationJob.update({
      where: { id: job.id },
      data: {
        status: "FAILED",
        error: `Could not queue the job (is Redis reachable?): ${(e as Error).message}`,
        finishedAt: new Date(),
        stage: "Failed",
      },
    });
  }
  return job;
}
