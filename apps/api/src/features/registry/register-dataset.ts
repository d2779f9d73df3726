import { z } from "zod";
import { assertVisible, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import type { Producer } from "@costgate/queue";
import type { Logger } from "../../logger.ts";
import { writeAudit } from "@costgate/services";
import { validate } from "../validate.ts";
import { conflictOnDuplicate } from "../unique-violation.ts";
import { loadArtifactFor, useArtifact } from "./artifact-access.ts";

const Input = z.object({
  modelId: z.string().min(1),
  name: z.string().trim().min(1, "must not be empty").max(120),
  role: z.enum(["TRAIN", "EVALUATION"]),
  artifactId: z.string().min(1),
});

/**
 * Registers a dataset of a model. A new EVALUATION dataset gets the model's versions that were
 * never evaluated (registered before it) evaluated on it.
 */
export async function registerDataset(
  deps: { db: Db; producer: Producer; logger: Logger },
  principal: Principal,
  input: unknown,
) {
  const { db } = deps;
  const data = validate(Input, input);
  const model = await db.model.findUnique({ where: { id: data.modelId } });
  assertVisible(principal, model, (r) => r.teamId, "Model", data.modelId);
  const artifact = await loadArtifactFor(db, principal, data.artifactId, "DATASET", model.teamId);
  const rows = Number((artifact.metadata as { rows?: number } | null)?.rows ?? 0);
  const dataset = await conflictOnDuplicate(
    () =>
      db.$transaction(async (tx) => {
        await useArtifact(tx, artifact);
        const dataset = await tx.dataset.create({ data: { ...data, rows } });
        await writeAudit(tx, {
          actor: principal.actor,
          action: "dataset.register",
          entityType: "Dataset",
          entityId: dataset.id,
          teamId: model.teamId,
          after: dataset,
        });
        return dataset;
      }),
    `Model ${model.name} already has a dataset named "${data.name}"`,
  );
  if (dataset.role === "EVALUATION") {
    const unevaluated = await db.modelVersion.findMany({
      where: { modelId: model.id, status: "READY", evaluations: { none: {} } },
      select: { id: true },
    });
    for (const v of unevaluated) {
      // A version left out (Redis down) is evaluated on reevaluateModelVersion.
      await deps.producer
        .reevaluateVersion(v.id)
        .catch((e: unknown) => deps.logger.error({ err: e, versionId: v.id }, "could not enqueue evaluation"));
    }
  }
  return dataset;
}
