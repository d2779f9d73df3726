// Drives Costgate the way an internal tool does: HTTP uploads and GraphQL against a real API
// (@costgate/testkit: the API in a child process, with its own database, queue prefix and
// artifact folder), with the reference models packages/ml generates.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { ensureReferenceModels, type AnyReferenceModelName } from "@costgate/ml";
import {
  TestApi as KitTestApi,
  startApiProcess,
  until,
  uploadFiles,
  uploadModelFolder,
  type ApiProcess,
} from "@costgate/testkit";
import { loadWorkerEnv, type WorkerEnv } from "../src/env.ts";
import { createWorker, type CostgateWorker } from "../src/create-worker.ts";

/** A real API in a child process, for one test file (the worker never imports the API's code). */
export type TestApi = KitTestApi<ApiProcess>;
export const TestApi = {
  start: (overrides: Record<string, string> = {}): Promise<TestApi> => KitTestApi.start(startApiProcess, overrides),
};

export { until };

/**
 * MobileNetV2-small (64x64x3, the block structure of the real network) for tests: trained on 96
 * rendered images for one epoch instead of the reference recipe's 5 x 1200, and small CSVs.
 */
const TEST_IMAGE_RECIPE = {
  "mobilenet-v2-small": {
    phases: [{ size: 64, images: 96, epochs: 1, batchSize: 16, learningRate: 0.003, fresh: true }],
    rows: { train: 64, evaluation: 48 },
  },
};

/** Reference models generated once per test file into a private folder (seconds for the MLPs). */
export async function referenceFiles(name: AnyReferenceModelName) {
  const dir = mkdtempSync(join(tmpdir(), "costgate-reference-"));
  const manifest = await ensureReferenceModels(dir, { only: [name], imageRecipe: TEST_IMAGE_RECIPE });
  const entry = manifest.models.find((m) => m.name === name)!;
  return { ...entry.files, metric: entry.value, images: entry.images, classNames: entry.classNames };
}

/** A team, a model with TRAIN and EVALUATION datasets, and its version 1 registered from the reference model. */
export async function registerReference(
  api: TestApi,
  name: AnyReferenceModelName,
  task: "CLASSIFICATION" | "REGRESSION",
) {
  const files = await referenceFiles(name);
  const teamId = await api.createTeam();
  const { createModel } = await api.ok<{ createModel: { id: string } }>(
    `mutation($i:CreateModelInput!){ createModel(input:$i){ id } }`,
    { i: { teamId, name, task } },
  );
  for (const [role, path] of [
    ["TRAIN", files.train],
    ["EVALUATION", files.evaluation],
  ] as const) {
    const { artifactId } = await uploadFiles(api, "dataset", [path]);
    await api.ok(`mutation($i:RegisterDatasetInput!){ registerDataset(input:$i){ id } }`, {
      i: { modelId: createModel.id, name: role.toLowerCase(), role, artifactId },
    });
  }
  const version = await registerVersion(api, createModel.id, files.modelJson);
  return { teamId, modelId: createModel.id, versionId: version.id, files };
}

export async function registerVersion(api: TestApi, modelId: string, modelJson: string) {
  const { artifactId } = await uploadModelFolder(api, modelJson);
  const { registerModelVersion } = await api.ok<{ registerModelVersion: { id: string; number: number } }>(
    `mutation($i:RegisterModelVersionInput!){ registerModelVersion(input:$i){ id number } }`,
    { i: { modelId, artifactId } },
  );
  return registerModelVersion;
}

/** Worker settings for tests: the API's database, queue prefix and artifact store; short measurements. */
export function workerEnvFor(api: TestApi, overrides: Record<string, string> = {}): Record<string, string> {
  const store = Object.entries(api.env).filter(([name]) => name === "ARTIFACT_STORE" || name.startsWith("S3_"));
  return {
    ...Object.fromEntries(store),
    NODE_ENV: "test",
    LOG_LEVEL: process.env.TEST_WORKER_LOG_LEVEL ?? "silent",
    DATABASE_URL: api.env.DATABASE_URL,
    REDIS_URL: api.env.REDIS_URL,
    QUEUE_PREFIX: api.env.QUEUE_PREFIX,
    ARTIFACT_DIR: api.env.ARTIFACT_DIR,
    COSTGATE_SECRET_KEY: api.env.COSTGATE_SECRET_KEY,
    COSTGATE_TF_BACKEND: process.env.COSTGATE_TF_BACKEND ?? "wasm",
    MEASURE_MIN_RUNS: "24",
    MEASURE_MIN_TIME_MS: "300",
    MEASURE_ROUNDS: "8",
    WORKER_METRICS_PORT: "0",
    ...overrides,
  };
}

export async function startWorker(api: TestApi, overrides: Record<string, string> = {}): Promise<CostgateWorker> {
  const env: WorkerEnv = loadWorkerEnv(workerEnvFor(api, overrides));
  return createWorker(env, pino({ level: env.LOG_LEVEL }));
}

export const VERSION_FIELDS = `id number source stage status statusMessage recipe parent { id number } parameterCount nonZeroParameterCount weightDtypes
  evaluation { metric value samples dataset { role } } cost { costPerMillionUsd throughputPerSecond latencyP50Ms runs backend modelSizeBytes macsPerInference uncertainty } artifact { sha256 sizeBytes }
  comparedToParent { parent { id } throughputRatio low high significant rounds hardwareProfile { name } }`;

export async function version(api: TestApi, id: string) {
  return (await api.ok<{ modelVersion: any }>(`query($id:ID!){ modelVersion(id:$id){ ${VERSION_FIELDS} } }`, { id }))
    .modelVersion;
}

export async function waitReady(api: TestApi, id: string, timeoutMs = 120_000) {
  return until(
    `version ${id} to leave PENDING`,
    async () => {
      const v = await version(api, id);
      return v.status !== "PENDING" ? v : undefined;
    },
    timeoutMs,
  );
}
