import { join } from "node:path";
import { DATASET_FILE, MODEL_JSON_FILE } from "@costgate/artifacts";
import { loadCsvDataset, loadModel, modelInputShape, type Dataset, type Task, type tf } from "@costgate/ml";
import type { ModelTask } from "@costgate/db";
import type { WorkerDeps } from "../deps.ts";

export const taskOf = (task: ModelTask): Task => (task === "CLASSIFICATION" ? "classification" : "regression");

export async function modelJsonPathOf(deps: Pick<WorkerDeps, "store">, sha256: string): Promise<string> {
  return join(await deps.store.get(sha256), MODEL_JSON_FILE);
}

export async function loadStoredModel(deps: Pick<WorkerDeps, "store">, sha256: string): Promise<{ model: tf.LayersModel; modelJsonPath: string }> {
  const modelJsonPath = await modelJsonPathOf(deps, sha256);
  return { model: await loadModel(modelJsonPath), modelJsonPath };
}

/** A registered dataset's CSV, shaped for the model. */
export async function loadStoredDataset(deps: Pick<WorkerDeps, "store">, sha256: string, model: tf.LayersModel, task: ModelTask): Promise<Dataset> {
  const path = join(await deps.store.get(sha256), DATASET_FILE);
  return loadCsvDataset(path, { inputShape: modelInputShape(model), task: taskOf(task) });
}
