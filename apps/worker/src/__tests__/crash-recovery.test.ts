import { execFileSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi, registerReference, until, waitReady } from "../../test/flow.ts";
import { exited, startWorkerProcess as startWorker, storedObjectsMatchRows } from "../../test/worker-process.ts";

/**
 * The worker as a real child process, stopped in the middle of a job — by kill -9 and by
 * SIGTERM — then a new worker: the job finishes, with exactly one version per step and no
 * artifact that no row points to. On MobileNetV2-small (the block structure of the real network:
 * depthwise convolutions, BatchNorm, residual adds). Job locks are shorter than every step.
 */
const children: ChildProcess[] = [];
let api: TestApi;
const startWorkerProcess = () => startWorker(api, children);
const jobRow = (id: string) => api.db.optimizationJob.findUniqueOrThrow({ where: { id } });

beforeAll(async () => {
  api = await TestApi.start();
}, 60_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await api?.stop();
});

/** TensorFlow processes of a worker process (its children). */
const childrenOf = (pid: number): number[] => {
  try {
    return execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
};
/** Running (an exited process not yet reaped, a zombie, counts as ended). */
const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
};

// On the real-size model only: the same flows on the tabular MLP checked nothing more (40 s of the suite).
const name = "mobilenet-v2-small";
const epochs = 6;
const batchSize = 16;

describe(name, () => {
  let ref: Awaited<ReturnType<typeof registerReference>>;
  let policyId: string;

  beforeAll(async () => {
    ref = await registerReference(api, name, "CLASSIFICATION");
    const { createOptimizationPolicy } = await api.ok<{ createOptimizationPolicy: { id: string } }>(
      `mutation($i:CreateOptimizationPolicyInput!){ createOptimizationPolicy(input:$i){ id } }`,
      {
        i: {
          teamId: ref.teamId,
          name: `interrupted ${name}`,
          steps: [
            { kind: "PRUNE", params: { method: "structured", sparsity: 0.5 } },
            { kind: "FINE_TUNE", params: { epochs, learningRate: 0.02, batchSize } },
            { kind: "QUANTIZE", params: { dtype: "uint8" } },
          ],
          maxAccuracyDrop: 0.05,
        },
      },
    );
    policyId = createOptimizationPolicy.id;
  }, 300_000);

  /** Runs the policy on a first worker and stops that worker, as `stop` says, once fine-tuning is past its first epoch. */
  async function interruptMidFineTune(stop: (worker: ChildProcess) => void) {
    const first = startWorkerProcess();
    await waitReady(api, ref.versionId);
    const { runOptimizationPolicy: job } = await api.ok<{ runOptimizationPolicy: { id: string } }>(
      `mutation($p:ID!,$v:ID!){ runOptimizationPolicy(policyId:$p, versionId:$v){ id } }`,
      { p: policyId, v: ref.versionId },
    );
    await until(
      "fine-tuning to be past its first epoch",
      async () => {
        const j = await jobRow(job.id);
        if (j.status !== "QUEUED" && j.status !== "RUNNING")
          throw new Error(`the job ended (${j.status}) before the worker could be stopped`);
        const epoch = /fine-tuning: epoch (\d+)\//.exec(j.stage ?? "")?.[1];
        return epoch !== undefined && Number(epoch) >= 2;
      },
      120_000,
      100,
    );
    const tfProcesses = childrenOf(first.pid!);
    stop(first);
    const exitCode = await exited(first);
    const atStop = await api.db.modelVersion.findMany({ where: { jobId: job.id } });
    return { jobId: job.id, exitCode, atStop, tfProcesses };
  }

  async function finishOnNewWorker(jobId: string) {
    const second = startWorkerProcess();
    const done = await until(
      "the job to finish on the new worker",
      async () => {
        const j = await jobRow(jobId);
        return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(j.status) ? j : undefined;
      },
      180_000,
      250,
    );
    second.kill("SIGTERM");
    await exited(second);
    return done;
  }

  async function expectOneVersionPerStepAndNoOrphans(jobId: string, firstStepId: string) {
    const versions = await api.db.modelVersion.findMany({ where: { jobId }, orderBy: { stepIndex: "asc" } });
    expect(versions.map((v) => v.stepIndex)).toEqual([0, 1, 2]);
    expect(versions[0]!.id).toBe(firstStepId); // step 1 was not made again
    expect(versions.map((v) => v.parentId)).toEqual([ref.versionId, versions[0]!.id, versions[1]!.id]);
    // Every stored object has a row and every row its object: nothing orphaned, nothing lost.
    const { objects, rows } = await storedObjectsMatchRows(api);
    expect(objects).toEqual(rows);
  }

  it("finishes a job after its worker is killed (-9) mid-step, making each step's version exactly once", async () => {
    const { jobId, atStop, tfProcesses } = await interruptMidFineTune((w) => w.kill("SIGKILL"));
    expect(atStop.map((v) => v.stepIndex)).toEqual([0]);
    // The worker's TensorFlow processes end with it: nothing keeps training for a dead worker.
    expect(tfProcesses.length).toBeGreaterThanOrEqual(1);
    await until("the TensorFlow processes to end", async () => tfProcesses.every((pid) => !alive(pid)), 10_000, 100);

    const done = await finishOnNewWorker(jobId);
    expect(done.status).toBe("SUCCEEDED");
    expect(done.attempts).toBe(2);
    await expectOneVersionPerStepAndNoOrphans(jobId, atStop[0]!.id);
  }, 360_000);

  it("on SIGTERM hands a running job back to the queue at the next batch, and the next worker finishes it", async () => {
    const { jobId, exitCode, atStop, tfProcesses } = await interruptMidFineTune((w) => w.kill("SIGTERM"));
    expect(exitCode).toBe(0);
    expect(tfProcesses.length).toBeGreaterThanOrEqual(1);
    await until("the TensorFlow processes to end", async () => tfProcesses.every((pid) => !alive(pid)), 10_000, 100);
    expect(atStop.map((v) => v.stepIndex)).toEqual([0]);
    const handedBack = await jobRow(jobId);
    expect(handedBack.status).toBe("RUNNING");
    expect(handedBack.stage).toMatch(/handed back/i);
    expect(handedBack.cancelRequested).toBe(false);

    const done = await finishOnNewWorker(jobId);
    expect(done.status).toBe("SUCCEEDED");
    expect(done.error).toBeNull();
    await expectOneVersionPerStepAndNoOrphans(jobId, atStop[0]!.id);
  }, 360_000);
});
