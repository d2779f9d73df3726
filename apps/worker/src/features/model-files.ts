import { join } from "node:path";
import { DATASET_FILE, MODEL_JSON_FILE } from "@costgate/artifacts";
import type { Task } from "@costgate/ml";
import type { ModelTask } from "@costgate/db";
import type { WorkerDeps } from "../deps.ts";

export const taskOf = (task: ModelTask): Task => (task === "CLASSIFICATION" ? "classification" : "regression");

/** Where a stored model's model.json is on this machine (the TensorFlow process reads it there). */
export async function modelJsonPathOf(deps: Pick<WorkerDeps, "store">, sha256: string): Promise<string> {
  return join(await deps.store.get(sha256), MODEL_JSON_FILE);
}

/** Where a registered dataset's file is on this machine. */
export async function datasetPathOf(deps: Pick<WorkerDeps, "store">, sha256: string): Promise<string> {
  return join(await deps.store.get(sha256), DATASET_FILE);
}
