import { afterAll, beforeAll, expect, it } from "vitest";
import { TestApi, registerReference, startWorker, until, waitReady } from "../../test/flow.ts";
import type { CostgateWorker } from "../create-worker.ts";

/**
 * The optimize queue is shared by the workers of every hardware profile, so a job can land on a
 * worker whose profile never measured the job's source version (it was evaluated by a worker of
 * another profile). That worker measures the source on its own profile first, then compares.
 */
let api: TestApi;
let worker: CostgateWorker | undefined;

beforeAll(async () => {
  api = await TestApi.start();
}, 60_000);

afterAll(async () => {
  await worker?.close();
  await api?.stop();
});

it("runs a job whose source was measured only on another profile, measuring the source on its own first", async () => {
  const [a, b] = await api.db.hardwareProfile.findMany({ orderBy: [{ isDefault: "desc" }, { name: "asc" }] });
  worker = await startWorker(api, { WORKER_HARDWARE_PROFILE: a!.name });
  const ref = await registerReference(api, "tabular-mlp", "CLASSIFICATION");
  expect((await waitReady(api, ref.versionId)).status).toBe("READY");
  await worker.close();
  worker = await startWorker(api, { WORKER_HARDWARE_PROFILE: b!.name });

  const { createOptimizationPolicy } = await api.ok<{ createOptimizationPolicy: { id: string } }>(
    `mutation($i:CreateOptimizationPolicyInput!){ createOptimizationPolicy(input:$i){ id } }`,
    {
      i: {
        teamId: ref.teamId,
        name: "quantize",
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
    180_000,
  );
  expect({ status: done.status, error: done.error }).toEqual({ status: "SUCCEEDED", error: null });
  const measured = await api.db.costMeasurement.findMany({ where: { versionId: ref.versionId } });
  expect(measured.map((m) => m.hardwareProfileId).sort()).toEqual([a!.id, b!.id].sort());
}, 300_000);
