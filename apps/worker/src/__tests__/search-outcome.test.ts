import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Producer } from "@costgate/queue";
import { TestApi } from "../../test/flow.ts";
import { storeCost } from "@costgate/testkit";
import type { WorkerDeps } from "../deps.ts";
import { finishJob } from "../features/finish-job.ts";

const uid = () => randomBytes(4).toString("hex");

/**
 * The end of a SEARCH job from stored trials with known numbers (no TensorFlow): the best pick,
 * the best effort when no trial met the guardrail, nothing when nothing saves, the frontier as
 * the API serves it, and auto-promotion of the winner through the cost gate.
 */
let api: TestApi;
let producer: Producer;

beforeAll(async () => {
  api = await TestApi.start();
  producer = new Producer(api.server.redis, api.env.QUEUE_PREFIX);
});
afterAll(async () => {
  await producer?.close();
  await api?.stop();
});

interface Trial {
  source: "PRUNE" | "FINE_TUNE" | "QUANTIZE";
  /** Index of the parent among the trials; the job's source when omitted. */
  parent?: number;
  accuracy: number;
  cost: string;
  /** Throughput ratio to the parent and its interval. */
  ratio: [number, number, number];
}

/** A SEARCH job (RUNNING, as the worker leaves it before finishJob) of a source at 95% and $5/1M, with the given trials stored. */
async function searchJob(trials: Trial[], opts: { autoPromote?: boolean } = {}) {
  const profile = await api.db.hardwareProfile.findFirstOrThrow({ where: { isDefault: true } });
  const teamId = await api.createTeam();
  const model = await api.db.model.create({ data: { teamId, name: `m-${uid()}`, task: "CLASSIFICATION" } });
  const artifact = (kind: "TFJS_LAYERS_MODEL" | "DATASET") =>
    api.db.artifact.create({
      data: { kind, sha256: randomBytes(32).toString("hex"), sizeBytes: 10, files: [], teamId, createdBy: "system" },
    });
  const modelArtifact = await artifact("TFJS_LAYERS_MODEL");
  const dataset = await api.db.dataset.create({
    data: {
      modelId: model.id,
      name: "eval",
      role: "EVALUATION",
      rows: 10,
      artifactId: (await artifact("DATASET")).id,
    },
  });
  const steps = [{ kind: "SEARCH", params: { timeBudgetMinutes: 5 } }];
  const policy = await api.db.optimizationPolicy.create({
    data: { teamId, name: `p-${uid()}`, steps, maxAccuracyDrop: 0.01, autoPromote: opts.autoPromote ?? false },
  });
  const version = async (
    number: number,
    accuracy: number,
    cost: string,
    extra: { source?: Trial["source"]; jobId?: string; stepIndex?: number; parentId?: string; stage?: "PRODUCTION" },
  ) => {
    const v = await api.db.modelVersion.create({
      data: {
        modelId: model.id,
        number,
        source: extra.source ?? "UPLOAD",
        status: "READY",
        stage: extra.stage ?? "CANDIDATE",
        artifactId: modelArtifact.id,
        createdBy: "system",
        jobId: extra.jobId,
        stepIndex: extra.stepIndex,
        parentId: extra.parentId,
        recipe: extra.jobId ? { kind: extra.source, search: { trial: number - 1 } } : undefined,
      },
    });
    await api.db.evaluation.create({
      data: { versionId: v.id, datasetId: dataset.id, metric: "accuracy", value: accuracy, samples: 1000 },
    });
    const m = await storeCost(api.db, v.id, profile.id, cost);
    return { v, m };
  };
  const source = (await version(1, 0.95, "5", { stage: "PRODUCTION" })).v;
  const job = await api.db.optimizationJob.create({
    data: {
      policyId: policy.id,
      sourceVersionId: source.id,
      steps,
      status: "RUNNING",
      triggeredBy: "manual",
      createdBy: "system",
    },
  });
  const made: { id: string; number: number }[] = [];
  for (const [i, t] of trials.entries()) {
    const parent = t.parent === undefined ? source : made[t.parent]!;
    const { v, m } = await version(i + 2, t.accuracy, t.cost, {
      source: t.source,
      jobId: job.id,
      stepIndex: i,
      parentId: parent.id,
    });
    const [throughputRatio, low, high] = t.ratio;
    await api.db.costComparison.create({
      data: {
        versionId: v.id,
        parentId: parent.id,
        hardwareProfileId: profile.id,
        measurementId: m.id,
        throughputRatio,
        low,
        high,
        significant: low > 1 || high < 1,
        rounds: 10,
        parentThroughputPerSecond: 1000,
      },
    });
    made.push(v);
  }
  const deps = { db: api.db, producer, profile, logger: pino({ level: "silent" }) } as unknown as WorkerDeps;
  const search = { trials: trials.length, stoppedBecause: "search complete: sparsity narrowed" };
  return { deps, job, source, made, search };
}

const JOB = `status stage result frontier { number } bestVersion { number stage } bestEffortVersion { number }`;
const read = async (id: string) =>
  (await api.ok<{ optimizationJob: any }>(`query($id:ID!){ optimizationJob(id:$id){ ${JOB} } }`, { id }))
    .optimizationJob;

describe("the end of a SEARCH", () => {
  it("proposes the trial closest to the guardrail as best effort when none met it, saying by how much", async () => {
    const { deps, job, search } = await searchJob([
      { source: "PRUNE", accuracy: 0.92, cost: "2.5", ratio: [2, 1.8, 2.2] }, // v2: 3 points down
      { source: "PRUNE", accuracy: 0.935, cost: "3.5", ratio: [1.4, 1.3, 1.5] }, // v3: 1.5 points down
      { source: "QUANTIZE", parent: 1, accuracy: 0.93, cost: "3.4", ratio: [1, 0.95, 1.05] }, // v4: no measurable change
    ]);
    await finishJob(deps, job.id, { search });
    const done = await read(job.id);
    expect(done.status).toBe("SUCCEEDED");
    expect(done.bestVersion).toBeNull();
    expect(done.bestEffortVersion).toEqual({ number: 3 });
    expect(done.stage).toBe(
      "Done: best effort, guardrail missed by 0.50 points: version 3 at $3.500000/1M (−29%) · 3 trial(s); search complete: sparsity narrowed",
    );
    // v4 counts with its input's cost ($3.5, its own $3.4 is noise) and is less accurate than v3: not on the frontier.
    expect(done.frontier).toEqual([{ number: 2 }, { number: 3 }]);
    expect(done.result.search).toEqual(search);
  });

  it("promotes the cheapest trial within the guardrail through the cost gate with autoPromote", async () => {
    const { deps, job, source } = await searchJob(
      [
        { source: "PRUNE", accuracy: 0.9, cost: "2", ratio: [2.5, 2.2, 2.8] }, // v2: over the guardrail
        { source: "PRUNE", accuracy: 0.945, cost: "3", ratio: [1.6, 1.5, 1.7] }, // v3: within, saves
        { source: "FINE_TUNE", parent: 1, accuracy: 0.948, cost: "3.1", ratio: [0.98, 0.95, 1.02] }, // v4: better, same cost
      ],
      { autoPromote: true },
    );
    await finishJob(deps, job.id, {
      search: { trials: 2, stoppedBecause: "stopped: the time budget (60 s) is used up" },
    });
    const done = await read(job.id);
    expect(done.bestVersion).toEqual({ number: 4, stage: "PRODUCTION" });
    expect(done.bestEffortVersion).toBeNull();
    expect(done.stage).toMatch(
      /^Done: best is version 4 at \$3\.100000\/1M .* · 2 trial\(s\); stopped: the time budget/,
    );
    expect(done.frontier).toEqual([{ number: 2 }, { number: 4 }]);
    expect((await api.db.modelVersion.findUniqueOrThrow({ where: { id: source.id } })).stage).toBe("ARCHIVED");
  });

  it("proposes nothing, and says so, when no trial saves measurable cost", async () => {
    const { deps, job } = await searchJob([
      { source: "PRUNE", accuracy: 0.95, cost: "4.9", ratio: [1.02, 0.97, 1.08] },
      { source: "QUANTIZE", parent: 0, accuracy: 0.949, cost: "4.8", ratio: [1.01, 0.96, 1.06] },
    ]);
    await finishJob(deps, job.id, { search: { trials: 2, stoppedBecause: "search complete" } });
    const done = await read(job.id);
    expect(done.bestVersion).toBeNull();
    expect(done.bestEffortVersion).toBeNull();
    expect(done.stage).toMatch(/^Done: no candidate saves measurable cost against version 1 .*: nothing to propose/);
  });
});
