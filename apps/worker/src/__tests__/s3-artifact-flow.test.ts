import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestS3Server, type TestS3Server } from "@costgate/testkit";
import { TestApi, registerReference, startWorker, until, version, waitReady } from "../../test/flow.ts";
import { storedObjectsMatchRows } from "../../test/worker-process.ts";
import type { CostgateWorker } from "../create-worker.ts";

/**
 * ARTIFACT_STORE=s3 end to end against a real S3-protocol server (s3rver): the API streams
 * uploads into the bucket, a worker with its own local folder (another machine) reads them from
 * there into its cache, evaluates and measures, and publishes the versions a job makes back
 * into the bucket. Nothing is published to either process's local folder.
 */
const BUCKET = "costgate-flow";
let s3: TestS3Server;
let api: TestApi;
let worker: CostgateWorker;
let workerDir: string;

beforeAll(async () => {
  s3 = await startTestS3Server([BUCKET]);
  api = await TestApi.start({
    ARTIFACT_STORE: "s3",
    S3_BUCKET: BUCKET,
    S3_PREFIX: "flow/",
    S3_ENDPOINT: s3.endpoint,
    S3_FORCE_PATH_STYLE: "true",
    S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
  });
  workerDir = mkdtempSync(join(tmpdir(), "costgate-worker-local-"));
  worker = await startWorker(api, { ARTIFACT_DIR: workerDir });
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await api?.stop();
  await s3?.close();
  rmSync(workerDir, { recursive: true, force: true });
});

it("uploads through the API into S3, and a worker on another folder evaluates, measures and publishes there", async () => {
  const ready = await fetch(`${api.url}/readyz`);
  expect(ready.status).toBe(200);

  const ref = await registerReference(api, "tabular-mlp", "CLASSIFICATION");
  const v1 = await waitReady(api, ref.versionId);
  expect(v1.status).toBe("READY");
  expect(v1.evaluation.value).toBeGreaterThan(0.5);
  expect(v1.cost.costPerMillionUsd).toBeTruthy();

  // The worker read the version and its datasets from the bucket into its own cache.
  const cached = readdirSync(join(workerDir, "cache"));
  expect(cached).toContain(v1.artifact.sha256);
  expect(existsSync(join(workerDir, "objects"))).toBe(false);
  expect(existsSync(join(api.artifactRoot, "objects"))).toBe(false);

  const { createOptimizationPolicy } = await api.ok<{ createOptimizationPolicy: { id: string } }>(
    `mutation($i:CreateOptimizationPolicyInput!){ createOptimizationPolicy(input:$i){ id } }`,
    {
      i: {
        teamId: ref.teamId,
        name: "quantize via s3",
        steps: [{ kind: "QUANTIZE", params: { dtype: "float16" } }],
        maxAccuracyDrop: 0.05,
      },
    },
  );
  const { runOptimizationPolicy: job } = await api.ok<{ runOptimizationPolicy: { id: string } }>(
    `mutation($p:ID!,$v:ID!){ runOptimizationPolicy(policyId:$p, versionId:$v){ id } }`,
    { p: createOptimizationPolicy.id, v: ref.versionId },
  );
  const done = await until(
    "the job to finish",
    async () => {
      const j = await api.db.optimizationJob.findUniqueOrThrow({ where: { id: job.id } });
      return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(j.status) ? j : undefined;
    },
    120_000,
  );
  expect(done.error).toBeNull();
  expect(done.status).toBe("SUCCEEDED");
  const made = await api.db.modelVersion.findFirstOrThrow({ where: { jobId: job.id } });
  const v2 = await version(api, made.id);
  expect(v2.status).toBe("READY");
  expect(v2.weightDtypes).toContain("float16");

  // The worker's version is in the bucket, readable by the API's side; every object has its row.
  expect(await api.server.store.exists(v2.artifact.sha256)).toBe(true);
  expect(existsSync(join(workerDir, "objects"))).toBe(false);
  const { objects, rows } = await storedObjectsMatchRows(api);
  expect(objects).toEqual(rows);
  expect(objects).toHaveLength(4); // two datasets, v1, v2
}, 240_000);
