import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TestApi, registerReference, until, waitReady, workerEnvFor } from "../../test/flow.ts";

/**
 * kill -9 of a worker process in the middle of a job, then a new worker: the job finishes,
 * with exactly one version per step and no artifact that no row points to.
 */
const main = fileURLToPath(new URL("../main.ts", import.meta.url));
const children: ChildProcess[] = [];
let api: TestApi;

function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", main], {
    env: { ...process.env, ...workerEnvFor(api, { WORKER_LOCK_DURATION_MS: "4000", LOG_LEVEL: "warn" }) },
    stdio: ["ignore", "inherit", "inherit"],
  });
  children.push(child);
  return child;
}

beforeAll(async () => {
  api = await TestApi.start();
}, 60_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await api?.stop();
});

it("finishes a job after its worker is killed mid-step, making each step's version exactly once", async () => {
  const ref = await registerReference(api, "tabular-mlp", "CLASSIFICATION");
  const first = startWorkerProcess();
  await waitReady(api, ref.versionId);
  const { createOptimizationPolicy } = await api.ok<{ createOptimizationPolicy: { id: string } }>(
    `mutation($i:CreateOptimizationPolicyInput!){ createOptimizationPolicy(input:$i){ id } }`,
    {
      i: {
        teamId: ref.teamId,
        name: "crash",
        steps: [
          { kind: "PRUNE", params: { method: "structured", sparsity: 0.5 } },
          { kind: "FINE_TUNE", params: { epochs: 8, learningRate: 0.02, batchSize: 16 } },
          { kind: "QUANTIZE", params: { dtype: "uint8" } },
        ],
        maxAccuracyDrop: 0.05,
      },
    },
  );
  const { runOptimizationPolicy: job } = await api.ok<{ runOptimizationPolicy: { id: string } }>(`mutation($p:ID!,$v:ID!){ runOptimizationPolicy(policyId:$p, versionId:$v){ id } }`, { p: createOptimizationPolicy.id, v: ref.versionId });

  // Killed in the middle of fine-tuning: step 1 is done and stored, step 2 is half-way.
  await until("fine-tuning to be past its first epoch", async () => {
    const j = await api.db.optimizationJob.findUniqueOrThrow({ where: { id: job.id } });
    if (j.status !== "QUEUED" && j.status !== "RUNNING") throw new Error(`the job ended (${j.status}) before the worker could be killed`);
    const epoch = /fine-tuning: epoch (\d+)\//.exec(j.stage ?? "")?.[1];
    return epoch !== undefined && Number(epoch) >= 2;
  }, 120_000, 100);
  first.kill("SIGKILL");
  await new Promise((r) => first.once("exit", r));
  const atKill = await api.db.modelVersion.findMany({ where: { jobId: job.id } });
  expect(atKill.map((v) => v.stepIndex)).toEqual([0]);

  startWorkerProcess();
  const done = await until("the job to finish on the new worker", async () => {
    const j = await api.db.optimizationJob.findUniqueOrThrow({ where: { id: job.id } });
    return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(j.status) ? j : undefined;
  }, 180_000, 250);
  expect(done.status).toBe("SUCCEEDED");
  expect(done.attempts).toBe(2);

  const versions = await api.db.modelVersion.findMany({ where: { jobId: job.id }, orderBy: { stepIndex: "asc" }, include: { artifact: true } });
  expect(versions.map((v) => v.stepIndex)).toEqual([0, 1, 2]);
  expect(versions[0]!.id).toBe(atKill[0]!.id); // step 1 was not made again
  expect(versions.map((v) => v.parentId)).toEqual([ref.versionId, versions[0]!.id, versions[1]!.id]);

  // Every stored object has a row and every row its object: nothing orphaned, nothing lost.
  const rows = new Set((await api.db.artifact.findMany({ select: { sha256: true } })).map((a) => a.sha256));
  const objects = new Set<string>();
  for await (const sha of api.server.store.list()) objects.add(sha);
  expect([...objects].sort()).toEqual([...rows].sort());
}, 360_000);
