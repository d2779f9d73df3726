import { randomBytes } from "node:crypto";
import type { VersionStage } from "@costgate/db";
import type { TestApi } from "./harness.ts";

const uid = () => randomBytes(4).toString("hex");

const RECORD_USAGE = `mutation($i:[UsageInput!]!){ recordUsage(input:$i){ accepted duplicates costUsd } }`;
export type RecordUsage = { recordUsage: { accepted: number; duplicates: number; costUsd: string } };

export interface UsageRecordInput {
  versionId: string;
  requests: number;
  occurredAt: string;
  idempotencyKey: string;
  hardwareProfileId?: string;
  tags?: { key: string; value: string }[];
}

/**
 * A model of the team with READY versions as the worker leaves them: an evaluation and a cost
 * measurement on the default hardware profile at each given costPerMillionUsd (null: never
 * measured). Test data written directly, instead of running the ML worker.
 */
export async function measuredModel(
  api: TestApi,
  teamId: string,
  versions: { costPerMillionUsd: string | null; stage?: VersionStage }[],
) {
  const model = await api.db.model.create({ data: { teamId, name: `m-${uid()}`, task: "CLASSIFICATION" } });
  const artifact = await api.db.artifact.create({
    data: {
      kind: "TFJS_LAYERS_MODEL",
      sha256: randomBytes(32).toString("hex"),
      sizeBytes: 10,
      files: [],
      teamId,
      createdBy: "system",
    },
  });
  const datasetArtifact = await api.db.artifact.create({
    data: {
      kind: "DATASET",
      sha256: randomBytes(32).toString("hex"),
      sizeBytes: 10,
      files: [],
      metadata: { rows: 10 },
      teamId,
      createdBy: "system",
    },
  });
  const dataset = await api.db.dataset.create({
    data: { modelId: model.id, name: "eval", role: "EVALUATION", rows: 10, artifactId: datasetArtifact.id },
  });
  const profile = await defaultProfile(api);
  const rows = [];
  for (const [i, v] of versions.entries()) {
    const version = await api.db.modelVersion.create({
      data: {
        modelId: model.id,
        number: i + 1,
        source: "UPLOAD",
        status: "READY",
        stage: v.stage ?? "CANDIDATE",
        artifactId: artifact.id,
        createdBy: "system",
      },
    });
    await api.db.evaluation.create({
      data: { versionId: version.id, datasetId: dataset.id, metric: "accuracy", value: 0.9, samples: 10 },
    });
    if (v.costPerMillionUsd !== null) await measure(api, version.id, profile.id, v.costPerMillionUsd);
    rows.push(version);
  }
  return { model, versions: rows };
}

/** A cost measurement of the version on the profile (measuredAt: now unless given). */
export function measure(
  api: TestApi,
  versionId: string,
  hardwareProfileId: string,
  costPerMillionUsd: string,
  measuredAt?: Date,
) {
  return api.db.costMeasurement.create({
    data: {
      versionId,
      hardwareProfileId,
      backend: "wasm",
      batchSize: 32,
      latencyP50Ms: 1,
      latencyP95Ms: 1.2,
      latencyP99Ms: 1.5,
      throughputPerSecond: 1000,
      peakMemoryBytes: 1024,
      modelSizeBytes: 1024,
      loadTimeMs: 5,
      macsPerInference: 100,
      costPerMillionUsd,
      runs: 50,
      ...(measuredAt ? { measuredAt } : {}),
    },
  });
}

export const defaultProfile = (api: TestApi) => api.db.hardwareProfile.findFirstOrThrow({ where: { isDefault: true } });

export const usage = (
  versionId: string,
  requests: number,
  occurredAt: string | Date,
  extra: Partial<UsageRecordInput> = {},
): UsageRecordInput => ({
  versionId,
  requests,
  occurredAt: new Date(occurredAt).toISOString(),
  idempotencyKey: `k-${uid()}-${uid()}`,
  ...extra,
});

/** Records usage through the API as the given token; the GraphQL result. */
export const recordUsage = (api: TestApi, records: UsageRecordInput[], token: string) =>
  api.gql<RecordUsage>(RECORD_USAGE, { i: records }, token);
