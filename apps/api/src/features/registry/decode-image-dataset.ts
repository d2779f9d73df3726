import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { badInput, type Principal } from "@costgate/core";
import type { Artifact, Db, Model, Prisma } from "@costgate/db";
import { MODEL_JSON_FILE, artifactDigest, type ArtifactFile, type ArtifactStore } from "@costgate/artifacts";
import {
  IMAGE_TENSORS_FILE,
  checkImagePreprocessing,
  classIndices,
  modelInputShape,
  type ArchiveLimits,
  type ImagePreprocessing,
} from "@costgate/formats";
import { publishArtifact, removeIfUnreferenced } from "@costgate/services";
import { decodeImageArchive, type ImageArchiveMetadata } from "../../images/image-archive.ts";
import { asBadInput } from "../../uploads/format-refusal.ts";
import { assertWithinStorageQuota } from "../../uploads/storage-quota.ts";

type Role = "TRAIN" | "EVALUATION" | "UNLABELED";

interface Deps {
  db: Db;
  store: ArtifactStore;
  imageLimits: ArchiveLimits;
  teamQuotaBytes: number;
}

/** An image dataset decoded into a staging folder, ready to be published with the dataset's row. */
export interface DecodedImages {
  rows: number;
  labels: string[];
  preprocessing: ImagePreprocessing;
  /** Publishes the decoded file and answers its artifact, inside the dataset's transaction. */
  publish(tx: Prisma.TransactionClient): Promise<Artifact>;
  /** After the transaction: removes what a failed one left (staging; an object no row took). */
  cleanUp(failed: boolean): Promise<void>;
}

/**
 * The images of an uploaded archive decoded once for `model`: each resized to its input height and
 * width and converted to its channels (read from the model.json of its newest version), labels
 * mapped to class indices (Model.classNames, or whole-number labels), into an image-tensors file.
 * Refuses, before any decoding, a role the archive's labels do not fit, a model without a version
 * or whose input is not an image, preprocessing that does not fit the channels, a label the model
 * does not have.
 */
export async function decodeImageDataset(
  deps: Deps,
  principal: Principal,
  input: { model: Model; role: Role; artifact: Artifact; preprocessing: unknown },
): Promise<DecodedImages> {
  const { model, role, artifact } = input;
  const meta = artifact.metadata as unknown as ImageArchiveMetadata;
  const labelled = meta.labels !== null;
  if (role === "UNLABELED" && labelled) {
    throw badInput(
      `an UNLABELED dataset holds inputs only, but this archive is labelled (${meta.layout === "label-folders" ? "label folders" : "labels.csv"}): upload the images at the top level without labels.csv, or register it as TRAIN or EVALUATION`,
      { field: "role" },
    );
  }
  if (role !== "UNLABELED" && !labelled) {
    throw badInput(
      `a ${role} dataset needs labels; this archive has none (put each image in its label's folder, or add a labels.csv with file,label). Register inputs without labels with role UNLABELED`,
      { field: "role" },
    );
  }
  const [height, width, channels] = await inputSize(deps, model);
  const preprocessing = asBadInput(() =>
    checkImagePreprocessing(input.preprocessing as Parameters<typeof checkImagePreprocessing>[0], channels),
  );
  const names = meta.labels?.map((l) => l.name) ?? [];
  const classOf = labelled ? asBadInput(() => classIndices(names, model.classNames)) : null;

  const stagedDir = await deps.store.stage();
  let publishedSha: string | null = null;
  try {
    const file = (artifact.files as unknown as ArtifactFile[])[0]!.path;
    const archive = join(await deps.store.get(artifact.sha256), file);
    const header = await asBadInput(() =>
      decodeImageArchive(
        archive,
        meta.archive,
        deps.imageLimits,
        { height, width, channels },
        classOf && ((label) => classOf.get(label)!),
        join(stagedDir, IMAGE_TENSORS_FILE),
      ),
    );
    const digest = await artifactDigest(stagedDir, [IMAGE_TENSORS_FILE]);
    // The slow part (S3: the upload) before the caller's transaction publishes it under the lock.
    await deps.store.prepare(digest.sha256, stagedDir);
    return {
      rows: header.rows,
      labels: names,
      preprocessing,
      async publish(tx) {
        await assertWithinStorageQuota(tx, {
          teamId: model.teamId,
          kind: "IMAGE_TENSORS",
          sha256: digest.sha256,
          sizeBytes: digest.sizeBytes,
          quotaBytes: deps.teamQuotaBytes,
        });
        const published = await publishArtifact(tx, deps.store, {
          kind: "IMAGE_TENSORS",
          ...digest,
          metadata: { format: "image-tensors", ...header, source: artifact.sha256 },
          stagedDir,
          teamId: model.teamId,
          actor: principal.actor,
        });
        if (published.publishedHere) publishedSha = digest.sha256;
        return published.artifact;
      },
      async cleanUp(failed) {
        await deps.store.discard(stagedDir).catch(() => undefined);
        if (failed && publishedSha) await removeIfUnreferenced(deps.db, deps.store, publishedSha);
      },
    };
  } catch (e) {
    await deps.store.discard(stagedDir).catch(() => undefined);
    throw e;
  }
}

/** [height, width, channels] of the model's input, from its newest version's model.json. */
async function inputSize(deps: Deps, model: Model): Promise<[number, number, 1 | 3]> {
  const version = await deps.db.modelVersion.findFirst({
    where: { modelId: model.id },
    orderBy: { number: "desc" },
    select: { number: true, artifact: { select: { sha256: true } } },
  });
  if (!version) {
    throw badInput(
      `model ${model.name} has no version yet: image datasets are decoded at the model's input size, which its model.json gives. Register a version first (registerModelVersion), then the dataset`,
      { field: "modelId" },
    );
  }
  const text = await readFile(join(await deps.store.get(version.artifact.sha256), MODEL_JSON_FILE), "utf8");
  const shape = modelInputShape(JSON.parse(text));
  if (!shape || shape.length !== 3 || (shape[2] !== 1 && shape[2] !== 3)) {
    throw badInput(
      `model ${model.name} (version ${version.number}) takes inputs of shape [${shape?.join(", ") ?? "unknown"}], not images (height, width, 1 or 3 channels); register its data as a CSV`,
      { field: "artifactId" },
    );
  }
  return [shape[0]!, shape[1]!, shape[2]];
}
