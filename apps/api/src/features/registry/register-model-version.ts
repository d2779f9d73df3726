import { z } from "zod";
import { assertVisible, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import type { Producer } from "@costgate/queue";
import type { Logger } from "../../logger.ts";
import { writeAudit } from "@costgate/services";
import { validate } from "../validate.ts";
import { loadArtifactFor, useArtifact } from "./artifact-access.ts";

const Input = z.object({
  modelId: z.string().min(1),
  artifactId: z.string().min(1),
  notes: z.string().trim().max(2000).nullish(),
});

interface ModelArtifactMetadata {
  parameterCount?: number;
  weights?: { storedDtype?: string; dtype?: string }[];
}

/**
 * Makes version N (N = previous + 1, serialised per model by a row lock) as PENDING,
 * then enqueues its evaluation. The row is committed before the job exists, so a worker
 * never sees a job for a version it cannot read.
 */
export async function registerModelVersion(
  deps: { db: Db; producer: Producer; logger: Logger },
  principal: Principal,
  input: unknown,
) {
  const data = validate(Input, input);
  const { db } = deps;
  const model = await db.model.findUnique({ where: { id: data.modelId } });
  assertVisible(principal, model, (r) => r.teamId, "Model", data.modelId);
  const artifact = await loadArtifactFor(db, principal, data.artifactId, "TFJS_LAYERS_MODEL", model.teamId);
  const meta = (artifact.metadata ?? {}) as ModelArtifactMetadata;

  const version = await db.$transaction(async (tx) => {
    await useArtifact(tx, artifact);
    await tx.$queryRaw`SELECT id FROM models WHERE id = ${model.id} FOR UPDATE`;
    const last = await tx.modelVersion.aggregate({ where: { modelId: model.id }, _max: { number: true } });
    const created = await tx.modelVersion.create({
      data: {
        modelId: model.id,
        number: (last._max.number ?? 0) + 1,
        source: "UPLOAD",
        notes: data.notes ?? null,
        artifactId: artifact.id,
        parameterCount: meta.parameterCount ?? null,
        weightDtypes: (meta.weights ?? []).map((w) => w.storedDtype ?? w.dtype ?? "float32"),
        createdBy: principal.actor,
      },
    });
    await writeAudit(tx, {
      actor: principal.actor,
      action: "version.register",
      entityType: "ModelVersion",
      entityId: created.id,
      teamId: model.teamId,
      after: created,
    });
    return created;
  });

  try {
    await deps.producer.evaluateVersion(version.id);
  } catch (e) {
    // The version stays PENDING; the worker's start-up sweep re-enqueues PENDING versions.
    deps.logger.error({ err: e, versionId: version.id }, "could not enqueue evaluation");
  }
  return version;
}
