import { artifactDigest, modelFileOrder, MODEL_JSON_FILE } from "@costgate/artifacts";
import type { Prisma, ModelVersion, OptimizationJob } from "@costgate/db";
import { publishArtifact, writeAudit } from "@costgate/services";
import { writeModelArtifacts } from "@costgate/ml";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { WorkerDeps } from "../deps.ts";
import type { StepOutput } from "./apply-step.ts";

/**
 * Saves a step's model as a content-addressed artifact and makes its version, exactly once:
 * the object is published, its Artifact row and the version (unique per job and step) are
 * written in one transaction under the artifact's lock. A crash before the commit leaves at
 * most an object no row references, which the next worker's start-up sweep removes; a retry
 * that finds the step's version uses it instead of making another.
 */
export async function storeStepVersion(
  deps: WorkerDeps,
  args: {
    job: OptimizationJob & { sourceVersion: { modelId: string; model: { teamId: string } } };
    stepIndex: number;
    parent: ModelVersion;
    output: StepOutput;
  },
): Promise<ModelVersion & { artifact: { sha256: string } }> {
  const { db, store } = deps;
  const { job, stepIndex, parent, output } = args;
  const staged = await store.stage();
  try {
    await writeModelArtifacts(staged, output.artifacts);
    const modelJson = JSON.parse(await readFile(join(staged, MODEL_JSON_FILE), "utf8"));
    const digest = await artifactDigest(staged, modelFileOrder(modelJson));
    // The slow part (S3: the upload) before the transaction; publishing under the lock is then quick.
    await store.prepare(digest.sha256, staged);
    return await db.$transaction(
      async (tx) => {
        const existing = await tx.modelVersion.findUnique({
          where: { jobId_stepIndex: { jobId: job.id, stepIndex } },
          include: { artifact: true },
        });
        if (existing) return existing;
        const { artifact } = await publishArtifact(tx, store, {
          kind: "TFJS_LAYERS_MODEL",
          sha256: digest.sha256,
          sizeBytes: digest.sizeBytes,
          files: digest.files,
          metadata: { producedBy: { jobId: job.id, stepIndex } },
          stagedDir: staged,
          teamId: job.sourceVersion.model.teamId,
          actor: "system",
        });
        await tx.$queryRaw`SELECT id FROM models WHERE id = ${job.sourceVersion.modelId} FOR UPDATE`;
        const last = await tx.modelVersion.aggregate({
          where: { modelId: job.sourceVersion.modelId },
          _max: { number: true },
        });
        const version = await tx.modelVersion.create({
          data: {
            modelId: job.sourceVersion.modelId,
            number: (last._max.number ?? 0) + 1,
            source: output.source,
            recipe: output.recipe as Prisma.InputJsonValue,
            parentId: parent.id,
            artifactId: artifact.id,
            jobId: job.id,
            stepIndex,
            createdBy: "system",
          },
          include: { artifact: true },
        });
        await writeAudit(tx, {
          actor: "system",
          action: "version.create",
          entityType: "ModelVersion",
          entityId: version.id,
          teamId: job.sourceVersion.model.teamId,
          after: { ...version, artifact: undefined },
        });
        return version;
      },
      { maxWait: 10_000, timeout: 60_000 },
    );
  } finally {
    // publish() consumed the staged folder on success; anything left is a failed attempt's.
    await store.discard(staged).catch(() => undefined);
  }
}
