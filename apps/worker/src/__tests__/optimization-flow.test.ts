import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkGuardrail, pickBest } from "@costgate/core";
import {
  TestApi,
  registerReference,
  registerVersion,
  startWorker,
  until,
  version,
  waitReady,
  VERSION_FIELDS,
} from "../../test/flow.ts";
import type { CostgateWorker } from "../create-worker.ts";
import { onVersionReady } from "../features/on-version-ready.ts";

/**
 * The optimization flow through the API alone, as an internal tool drives it, with a real
 * worker consuming the real queues: flows 2 and 3 of docs/ARCHITECTURE.md on the tabular reference MLP.
 */
let api: TestApi;
let worker: CostgateWorker;
let ref: Awaited<ReturnType<typeof registerReference>>;

const JOB = `id status progress stage error attempts triggeredBy startedAt finishedAt result
  candidates { ${VERSION_FIELDS} } bestVersion { id number } bestEffortVersion { id number } frontier { id } sourceVersion { id }`;

async function createPolicy(input: Record<string, unknown>) {
  const r = await api.ok<{ createOptimizationPolicy: { id: string } }>(
    `mutation($i:CreateOptimizationPolicyInput!){ createOptimizationPolicy(input:$i){ id } }`,
    { i: { teamId: ref.teamId, modelId: ref.modelId, ...input } },
  );
  return r.createOptimizationPolicy.id;
}

async function run(policyId: string, versionId = ref.versionId) {
  const r = await api.ok<{ runOptimizationPolicy: { id: string; status: string } }>(
    `mutation($p:ID!,$v:ID!){ runOptimizationPolicy(policyId:$p, versionId:$v){ id status } }`,
    { p: policyId, v: versionId },
  );
  return r.runOptimizationPolicy;
}

const job = async (id: string) =>
  (await api.ok<{ optimizationJob: any }>(`query($id:ID!){ optimizationJob(id:$id){ ${JOB} } }`, { id }))
    .optimizationJob;

async function finished(id: string, timeoutMs = 150_000) {
  const seen: number[] = [];
  const j = await until(
    `job ${id} to finish`,
    async () => {
      const current = await job(id);
      seen.push(current.progress);
      return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(current.status) ? current : undefined;
    },
    timeoutMs,
  );
  return { job: j, progressSeen: seen };
}

beforeAll(async () => {
  api = await TestApi.start();
  worker = await startWorker(api);
  ref = await registerReference(api, "tabular-mlp", "CLASSIFICATION");
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await api?.stop();
});

describe("evaluate", () => {
  it("makes a registered reference model READY with its accuracy and measured cost", async () => {
    const v = await waitReady(api, ref.versionId);
    expect(v.status).toBe("READY");
    expect(v.evaluation).toMatchObject({ metric: "accuracy", samples: 1000, dataset: { role: "EVALUATION" } });
    expect(v.evaluation.value).toBeCloseTo(ref.files.metric, 6);
    expect(Number(v.cost.costPerMillionUsd)).toBeGreaterThan(0);
    expect(v.cost.costPerMillionUsd).toMatch(/^\d+\.\d{2,6}$/);
    expect(v.cost).toMatchObject({ backend: "wasm", runs: expect.any(Number) });
    expect(v.cost.macsPerInference).toBe(40 * 256 + 256 * 128 + 128 * 10);
    expect(v.parameterCount).toBe(40 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
    expect(v.weightDtypes).toEqual(["float32", "float32", "float32", "float32", "float32", "float32"]);
    // $/1M follows from the measured throughput and the default profile's price.
    const expected = (0.08925 / (v.cost.throughputPerSecond * 3600)) * 1e6;
    expect(Number(v.cost.costPerMillionUsd)).toBeCloseTo(expected, 5);
  });

  it("evaluating the same version again replaces nothing and duplicates nothing", async () => {
    const before = await api.db.costMeasurement.findMany({ where: { versionId: ref.versionId } });
    await worker.deps.producer.enqueue(
      "evaluate",
      { versionId: ref.versionId },
      { jobId: `evaluate-again-${ref.versionId}` },
    );
    await until(
      "the second evaluation job to complete",
      async () => (await worker.deps.producer.queue("evaluate").getJob(`evaluate-again-${ref.versionId}`))?.finishedOn,
    );
    expect(await api.db.costMeasurement.findMany({ where: { versionId: ref.versionId } })).toEqual(before);
    expect(await api.db.evaluation.count({ where: { versionId: ref.versionId } })).toBe(1);
  });

  it("ends a corrupt artifact FAILED with a message a person can act on", async () => {
    // The same bytes as version 1 (one stored object): its shard is truncated in the store while
    // no worker runs, and put back afterwards.
    await worker.close();
    const second = await registerVersion(api, ref.modelId, ref.files.modelJson);
    const row = await api.db.modelVersion.findUniqueOrThrow({ where: { id: second.id }, include: { artifact: true } });
    expect(row.status).toBe("PENDING");
    const dir = await api.server.store.get(row.artifact.sha256);
    const original = row.artifact.files as { path: string }[];
    const shard = original.find((f) => f.path.endsWith(".bin"))!.path;
    const bytes = await readFile(join(dir, shard));
    try {
      await writeFile(join(dir, shard), bytes.subarray(0, bytes.length - 100));
      worker = await startWorker(api);
      const v = await waitReady(api, second.id);
      expect(v.status).toBe("FAILED");
      expect(v.statusMessage).toMatch(/cannot be used/);
      expect(v.statusMessage).toMatch(/bytes/);
      expect(v.statusMessage).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      await writeFile(join(dir, shard), bytes);
    }
  });
});

describe("optimize", () => {
  it("runs structured prune → fine-tune → uint8: three versions in a chain, and the cheapest within the guardrail is best", async () => {
    const policyId = await createPolicy({
      name: "three-step",
      steps: [
        { kind: "PRUNE", params: { method: "structured", sparsity: 0.5 } },
        { kind: "FINE_TUNE", params: { epochs: 2, learningRate: 0.05, batchSize: 32, momentum: 0.9 } },
        { kind: "QUANTIZE", params: { dtype: "uint8" } },
      ],
      maxAccuracyDrop: 0.02,
    });
    const queued = await run(policyId);
    expect(queued.status).toBe("QUEUED");
    const { job: done, progressSeen } = await finished(queued.id);
    expect(done.status).toBe("SUCCEEDED");
    expect(done.progress).toBe(1);
    expect(progressSeen.some((p) => p > 0 && p < 1)).toBe(true);
    expect(done.triggeredBy).toBe("manual");

    const [pruned, tuned, quantized] = done.candidates;
    expect(done.candidates.map((c: any) => c.source)).toEqual(["PRUNE", "FINE_TUNE", "QUANTIZE"]);
    expect([pruned.parent.id, tuned.parent.id, quantized.parent.id]).toEqual([ref.versionId, pruned.id, tuned.id]);
    expect(pruned.recipe).toMatchObject({
      kind: "PRUNE",
      params: { method: "structured", sparsity: 0.5 },
      result: { layers: expect.any(Array) },
    });
    expect(pruned.parameterCount).toBeLessThan((await version(api, ref.versionId)).parameterCount / 2);
    expect(tuned.recipe).toMatchObject({
      kind: "FINE_TUNE",
      params: { epochs: 2, learningRate: 0.05, batchSize: 32, momentum: 0.9 },
      result: { epochsRun: 2 },
    });
    expect(quantized.recipe).toMatchObject({ kind: "QUANTIZE", params: { dtype: "uint8" } });
    expect(quantized.weightDtypes.every((d: string) => d === "uint8")).toBe(true);
    expect(quantized.cost.modelSizeBytes).toBeLessThan(tuned.cost.modelSizeBytes / 3);
    for (const c of done.candidates) expect(c.status).toBe("READY");

    // Each step was measured interleaved with its input. (That half the units is a significant
    // saving is shown on the digits CNN, whose 3x is far beyond this shared machine's noise: the
    // ml package's compareCost tests and bench:measure.)
    for (const c of done.candidates) {
      expect(c.comparedToParent).toMatchObject({ parent: { id: c.parent.id }, hardwareProfile: { name: "c7i.large" } });
      expect(c.comparedToParent.low).toBeLessThanOrEqual(c.comparedToParent.throughputRatio);
      expect(c.comparedToParent.high).toBeGreaterThanOrEqual(c.comparedToParent.throughputRatio);
      expect(c.comparedToParent.rounds).toBeGreaterThanOrEqual(8);
      expect(c.cost.uncertainty).toBeGreaterThan(0);
    }
    expect(pruned.comparedToParent.throughputRatio).toBeGreaterThan(1);
    // A step whose interval contains 1 is reported as no measurable saving.
    done.result.steps.forEach((step: any, i: number) => {
      const c = done.candidates[i].comparedToParent;
      expect(step.vsInput).toMatchObject({ significant: c.significant });
      if (!c.significant) expect(step.note).toMatch(/^No measurable saving/);
    });

    // The rule, recomputed from what the API shows: cheapest within maxAccuracyDrop of the source,
    // where a step with no significant change against its input costs what its input costs.
    const source = await version(api, ref.versionId);
    const effective = new Map<string, string>([[source.id, source.cost.costPerMillionUsd]]);
    for (const c of done.candidates)
      effective.set(c.id, c.comparedToParent.significant ? c.cost.costPerMillionUsd : effective.get(c.parent.id)!);
    const expected = pickBest(
      done.candidates.map((c: any) => ({
        id: c.id,
        costPerMillionUsd: effective.get(c.id)!,
        metric: c.evaluation.value,
        verdict: checkGuardrail("accuracy", source.evaluation.value, c.evaluation.value, 0.02),
      })),
    );
    expect(done.bestVersion?.id ?? null).toBe(expected?.id ?? null);
    expect(done.result.steps).toHaveLength(3);
    expect(done.result.steps[2]).toMatchObject({ kind: "QUANTIZE", withinGuardrail: expect.any(Boolean) });
  }, 180_000);

  it("gives bestVersion null and REJECTED candidates when no candidate meets the guardrail; one that saves is the best effort", async () => {
    const policyId = await createPolicy({
      name: "too-strict",
      steps: [{ kind: "PRUNE", params: { method: "structured", sparsity: 0.95 } }],
      maxAccuracyDrop: 0,
    });
    const { job: done } = await finished((await run(policyId)).id);
    expect(done.status).toBe("SUCCEEDED");
    expect(done.bestVersion).toBeNull();
    expect(done.candidates).toHaveLength(1);
    expect(done.candidates[0]).toMatchObject({
      stage: "REJECTED",
      statusMessage: expect.stringMatching(/guardrail: accuracy .* drop of/),
    });
    // Proposed as best effort only when measurably cheaper than the source (its paired interval above 1×).
    const [pruned] = done.candidates;
    expect(done.frontier).toEqual([{ id: pruned.id }]);
    if (pruned.comparedToParent.low > 1) {
      expect(done.bestEffortVersion).toEqual({ id: pruned.id, number: pruned.number });
      expect(done.stage).toMatch(/^Done: best effort, guardrail missed by \d+\.\d\d points: version \d+/);
    } else {
      expect(done.bestEffortVersion).toBeNull();
      expect(done.stage).toMatch(/no candidate/);
    }
  }, 120_000);

  it("stops a running job on cancel and keeps the versions it made, marked as such", async () => {
    const policyId = await createPolicy({
      name: "long",
      steps: [
        { kind: "PRUNE", params: { method: "magnitude", sparsity: 0.5 } },
        { kind: "FINE_TUNE", params: { epochs: 100, learningRate: 0.01, batchSize: 8 } },
      ],
      maxAccuracyDrop: 0.05,
    });
    const { id } = await run(policyId);
    await until("the fine-tuning step to start", async () => (await job(id)).stage?.includes("fine-tuning"));
    const cancel = await api.ok<{ cancelOptimizationJob: { status: string } }>(
      `mutation($id:ID!){ cancelOptimizationJob(id:$id){ status } }`,
      { id },
    );
    expect(["RUNNING", "CANCELLED"]).toContain(cancel.cancelOptimizationJob.status);
    const { job: done } = await finished(id, 60_000);
    expect(done.status).toBe("CANCELLED");
    expect(done.candidates).toHaveLength(1);
    expect(done.candidates[0]).toMatchObject({ source: "PRUNE", statusMessage: expect.stringMatching(/cancelled/) });
  }, 120_000);

  it("runs a NEW_VERSION policy once on each new uploaded version, never on the versions it makes", async () => {
    const policyId = await createPolicy({
      name: "on-upload",
      trigger: "NEW_VERSION",
      steps: [{ kind: "QUANTIZE", params: { dtype: "float16" } }],
      maxAccuracyDrop: 0.01,
    });
    const v = await registerVersion(api, ref.modelId, ref.files.modelJson);
    const triggered = await until("the triggered job", () =>
      api.db.optimizationJob.findFirst({ where: { policyId, triggeredBy: `new-version:${v.id}` } }),
    );
    const { job: done } = await finished(triggered.id);
    expect(done.status).toBe("SUCCEEDED");
    expect(done.candidates[0].weightDtypes.every((d: string) => d === "float16")).toBe(true);
    // The candidate became READY too, and does not trigger the policy again: run the handler the
    // worker runs when a version becomes READY on it, now, instead of sleeping and hoping it ran.
    const candidate = await api.db.modelVersion.findFirstOrThrow({ where: { jobId: triggered.id } });
    expect(candidate.status).toBe("READY");
    await onVersionReady(worker.deps, candidate.id);
    expect(await api.db.optimizationJob.count({ where: { policyId } })).toBe(1);
    await api.ok(`mutation($id:ID!){ updateOptimizationPolicy(id:$id, input:{ enabled: false }){ id } }`, {
      id: policyId,
    });
  }, 180_000);
});
