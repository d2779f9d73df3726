import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TestApi, registerReference, until, waitReady } from "../../test/flow.ts";
import { exited, startWorkerProcess, storedObjectsMatchRows } from "../../test/worker-process.ts";

/**
 * A SEARCH whose worker process is killed (-9) in the middle of its second trial: a new worker
 * resumes it from the stored trials — the first trial's versions are not made again, every trial
 * is made exactly once — and no artifact is left without its row.
 */
const children: ChildProcess[] = [];
let api: TestApi;

beforeAll(async () => {
  api = await TestApi.start();
}, 60_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await api?.stop();
});

const jobRow = (id: string) => api.db.optimizationJob.findUniqueOrThrow({ where: { id } });

it("resumes a search killed (-9) mid-trial without repeating the trials it finished", async () => {
  const ref = await registerReference(api, "tabular-mlp", "CLASSIFICATION");
  const { createOptimizationPolicy: policy } = await api.ok<{ createOptimizationPolicy: { id: string } }>(
    `mutation($i:CreateOptimizationPolicyInput!){ createOptimizationPolicy(input:$i){ id } }`,
    {
      i: {
        teamId: ref.teamId,
        name: "interrupted search",
        // A budget no trial estimate can exhaust on a loaded machine: the kill comes in trial 2.
        steps: [{ kind: "SEARCH", params: { timeBudgetMinutes: 120, maxTrials: 3, dtypes: ["float16"] } }],
        maxAccuracyDrop: 0.05,
      },
    },
  );
  const first = startWorkerProcess(api, children);
  await waitReady(api, ref.versionId);
  const { runOptimizationPolicy: job } = await api.ok<{ runOptimizationPolicy: { id: string } }>(
    `mutation($p:ID!,$v:ID!){ runOptimizationPolicy(policyId:$p, versionId:$v){ id } }`,
    { p: policy.id, v: ref.versionId },
  );
  // Killed as soon as trial 2 has stored its pruned version: mid-trial, whether it is being
  // evaluated, measured or fine-tuned (a fine-tuning of this model can be too short to catch).
  await until(
    "the search to store the pruned version of its second trial",
    async () => {
      const j = await jobRow(job.id);
      if (j.status !== "QUEUED" && j.status !== "RUNNING")
        throw new Error(`the job ended (${j.status}) too soon: ${j.stage}`);
      return (await api.db.modelVersion.count({ where: { jobId: job.id } })) >= 3;
    },
    240_000,
    25,
  );
  first.kill("SIGKILL");
  await exited(first);
  const atKill = await api.db.modelVersion.findMany({ where: { jobId: job.id }, orderBy: { stepIndex: "asc" } });
  // Trial 1 (prune, fine-tune) and trial 2's prune were stored; the rest of trial 2 was cut.
  expect(atKill.map((v) => [v.source, (v.recipe as any).search.trial])).toEqual([
    ["PRUNE", 1],
    ["FINE_TUNE", 1],
    ["PRUNE", 2],
  ]);

  const second = startWorkerProcess(api, children);
  const done = await until(
    "the search to finish on the new worker",
    async () => {
      const j = await jobRow(job.id);
      return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(j.status) ? j : undefined;
    },
    300_000,
    250,
  );
  second.kill("SIGTERM");
  await exited(second);
  expect(done.status).toBe("SUCCEEDED");
  expect(done.attempts).toBe(2);

  const versions = await api.db.modelVersion.findMany({ where: { jobId: job.id }, orderBy: { stepIndex: "asc" } });
  // The versions made before the kill are the same rows; each (trial, step) exactly once; slots contiguous.
  expect(versions.slice(0, 3).map((v) => v.id)).toEqual(atKill.map((v) => v.id));
  const keys = versions.map((v) => `${(v.recipe as any).search.trial}:${v.source}`);
  expect(new Set(keys).size).toBe(keys.length);
  expect(versions.map((v) => v.stepIndex)).toEqual(versions.map((_, i) => i));
  expect(versions[3]).toMatchObject({ source: "FINE_TUNE", parentId: atKill[2]!.id });
  expect((done.result as any).search.trials).toBeLessThanOrEqual(3);
  const { objects, rows } = await storedObjectsMatchRows(api);
  expect(objects).toEqual(rows);
}, 600_000);
