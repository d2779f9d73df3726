import { z } from "zod";
import { assertVisible, badInput, type Principal } from "@costgate/core";
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
  role: z.enum(["TRAIN", "EVALUATION", "UNLABELED"]),
  artifactId: z.string().min(1),
});

/**
 * Registers a dataset of a model. A new EVALUATION dataset gets the model's versions that were
 * never evaluated (registered before it) evaluated on it.
 *
 * TRAIN and EVALUATION need a `label` column. UNLABELED (inputs only: distillation, calibration,
 * agreement with the source version) refuses one rather than ignoring it: a file whose labels
 * would be silently dropped is more likely a mistake, and "no labels used" stays checkable.
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
  const meta = artifact.metadata as { rows?: number; columns?: string[]; labelColumn?: string | null } | null;
  checkLabels(data.role, meta);
  const rows = Number(meta?.rows ?? 0);
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

/** A labelled role needs the `label` column; UNLABELED must not have one (any letter case, as packages/ml reads it). */
function checkLabels(
  role: "TRAIN" | "EVALUATION" | "UNLABELED",
  meta: { columns?: string[]; labelColumn?: string | null } | null,
): void {
  const columns = meta?.columns ?? [];
  // Artifacts validated before UNLABELED existed always had a label column and no labelColumn: null.
  const labelled = meta?.labelColumn !== null;
  if (role === "UNLABELED") {
    const label = columns.find((c) => c.toLowerCase() === "label");
    if (labelled || label)
      throw badInput(
        `an UNLABELED dataset holds inputs only, but this CSV has a "${label ?? "label"}" column: remove the column, or register the file as TRAIN or EVALUATION`,
        { field: "role" },
      );
    return;
  }
  if (!labelled) {
    const nearly = columns.find((c) => c.toLowerCase() === "label");
    const hint = nearly ? ` ("${nearly}" is close: the name is lowercase "label")` : "";
    throw badInput(
      `a ${role} dataset needs a "label" column${hint}; this CSV has none (columns: ${columns
        .slice(0, 8)
        .map((c) => `"${c}"`)
        .join(", ")}${columns.length > 8 ? ", ..." : ""}). Register inputs without labels with role UNLABELED`,
      { field: "role" },
    );
  }
}
