import { join } from "node:path";
import { DATASET_FILE, MODEL_JSON_FILE } from "@costgate/artifacts";
import { IMAGE_TENSORS_FILE } from "@costgate/formats";
import type { ImagePreprocessing } from "@costgate/formats";
import type { DatasetRef } from "../tf/protocol.ts";
import type { Task } from "@costgate/ml";
import type { ModelTask } from "@costgate/db";
import type { WorkerDeps } from "../deps.ts";

export const taskOf = (task: ModelTask): Task => (task === "CLASSIFICATION" ? "classification" : "regression");

/** Where a stored model's model.json is on this machine (the TensorFlow process reads it there). */
export async function modelJsonPathOf(deps: Pick<WorkerDeps, "store">, sha256: string): Promise<string> {
  return join(await deps.store.get(sha256), MODEL_JSON_FILE);
}

/** The relation a dataset row needs (include this) for datasetRefOf. */
export const DATASET_FILES = { artifact: true, decodedArtifact: true } as const;

/** Where a registered dataset's file is on this machine, and how to read it. */
export async function datasetRefOf(
  deps: Pick<WorkerDeps, "store">,
  dataset: {
    format: string;
    preprocessing: unknown;
    artifact: { sha256: string };
    decodedArtifact: { sha256: string } | null;
  },
  task: Task,
): Promise<DatasetRef> {
  if (dataset.format === "images") {
    if (!dataset.decodedArtifact) throw new Error("an image dataset without its decoded images");
    return {
      path: join(await deps.store.get(dataset.decodedArtifact.sha256), IMAGE_TENSORS_FILE),
      task,
      format: "images",
      preprocessing: dataset.preprocessing as ImagePreprocessing | null,
    };
  }
  return {
    path: join(await deps.store.get(dataset.artifact.sha256), DATASET_FILE),
    task,
    format: "csv",
    preprocessing: null,
  };
}
