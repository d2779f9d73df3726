import { z } from "zod";
import { assertVisible, badInput, type Principal } from "@costgate/core";
import type { ArtifactStore } from "@costgate/artifacts";
import type { Db, Prisma } from "@costgate/db";
import type { ArchiveLimits } from "@costgate/formats";
import type { Producer } from "@costgate/queue";
import type { Logger } from "../../logger.ts";
import { writeAudit } from "@costgate/services";
import { validate } from "../validate.ts";
import { conflictOnDuplicate } from "../unique-violation.ts";
import { loadArtifactFor, useArtifact } from "./artifact-access.ts";
import { decodeImageDataset, type DecodedImages } from "./decode-image-dataset.ts";

const Input = z.object({
  modelId: z.string().min(1),
  name: z.string().trim().min(1, "must not be empty").max(120),
  role: z.enum(["TRAIN", "EVALUATION", "UNLABELED"]),
  artifactId: z.string().min(1),
  preprocessing: z
    .object({
      scale: z.enum(["ZERO_ONE", "MINUS_ONE_ONE", "RAW"]).nullish(),
      mean: z.array(z.number()).nullish(),
      std: z.array(z.number()).nullish(),
    })
    .nullish(),
});

/**
 * Registers a dataset of a model. A new EVALUATION dataset gets the model's versions that were
 * never evaluated (registered before it, ready or still pending) evaluated on it.
 *
 * TRAIN and EVALUATION need labels (a `label` column, label folders or labels.csv). UNLABELED
 * (inputs only: distillation, calibration, agreement with the source version) refuses them rather
 * than ignoring them: a file whose labels would be silently dropped is more likely a mistake, and
 * "no labels used" stays checkable. An image archive is decoded here, once, at the model's input
 * size (decode-image-dataset.ts); `preprocessing` is for images only.
 */
export async function registerDataset(
  deps: {
    db: Db;
    producer: Producer;
    logger: Logger;
    store: ArtifactStore;
    imageLimits: ArchiveLimits;
    teamQuotaBytes: number;
  },
  principal: Principal,
  input: unknown,
) {
  const { db } = deps;
  const { preprocessing, ...data } = validate(Input, input);
  const model = await db.model.findUnique({ where: { id: data.modelId } });
  assertVisible(principal, model, (r) => r.teamId, "Model", data.modelId);
  const artifact = await loadArtifactFor(db, principal, data.artifactId, "DATASET", model.teamId);
  const meta = artifact.metadata as {
    format?: string;
    rows?: number;
    columns?: string[];
    labelColumn?: string | null;
    labelValues?: string[] | null;
  } | null;
  let images: DecodedImages | null = null;
  if (meta?.format === "images") {
    images = await decodeImageDataset(deps, principal, { model, role: data.role, artifact, preprocessing });
  } else {
    if (preprocessing) {
      throw badInput("preprocessing is for image datasets (an archive of images); this dataset is a CSV", {
        field: "preprocessing",
      });
    }
    checkLabels(data.role, meta);
  }
  const row = images
    ? {
        format: "images",
        rows: images.rows,
        labels: images.labels,
        preprocessing: images.preprocessing as unknown as Prisma.InputJsonValue,
      }
    : {
        format: "csv",
        rows: Number(meta?.rows ?? 0),
        labels: data.role === "UNLABELED" ? [] : (meta?.labelValues ?? []),
      };
  let failed = true;
  let dataset;
  try {
    dataset = await conflictOnDuplicate(
      () =>
        db.$transaction(
          async (tx) => {
            await useArtifact(tx, artifact);
            const decoded = images ? await images.publish(tx) : null;
            const dataset = await tx.dataset.create({
              data: { ...data, ...row, ...(decoded ? { decodedArtifactId: decoded.id } : {}) },
            });
            await writeAudit(tx, {
              actor: principal.actor,
              action: "dataset.register",
              entityType: "Dataset",
              entityId: dataset.id,
              teamId: model.teamId,
              after: dataset,
            });
            return dataset;
          },
          // Publishing the decoded images renames a folder: quick, but not instant.
          { maxWait: 10_000, timeout: 60_000 },
        ),
      `Model ${model.name} already has a dataset named "${data.name}"`,
    );
    failed = false;
  } finally {
    await images?.cleanUp(failed);
  }
  if (dataset.role === "EVALUATION") {
    const unevaluated = await db.modelVersion.findMany({
      // PENDING too: its evaluation may be running without this dataset (image datasets are registered after a version).
      where: { modelId: model.id, status: { in: ["READY", "PENDING"] }, evaluations: { none: {} } },
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
