import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatMoney } from "@costgate/core";
import { uploadFiles } from "@costgate/testkit";
import {
  TestApi,
  referenceFiles,
  registerReference,
  registerVersion,
  startWorker,
  until,
  version,
  waitReady,
} from "../../test/flow.ts";
import type { CostgateWorker } from "../create-worker.ts";

/**
 * Measuring and evaluating again through the API, evaluation of versions registered before
 * their EVALUATION dataset, job locks kept through steps longer than the lock, and training
 * that pauses while another worker on the same machine measures.
 */
let api: TestApi;
let worker: CostgateWorker;
let ref: Awaited<ReturnType<typeof registerReference>>;

const REMEASURE = `mutation($v:ID!,$p:ID){ remeasureModelVersion(versionId:$v, hardwareProfileId:$p){ id number } }`;
const REEVALUATE = `mutation($v:ID!){ reevaluateModelVersion(versionId:$v){ id } }`;

beforeAll(async () => {
  api = await TestApi.start();
  // Locks shorter than any step: a worker that could not renew them would lose its jobs.
  worker = await startWorker(api, { WORKER_LOCK_DURATION_MS: "1500", WORKER_HOST_ID: "host-under-test" });
  ref = await registerReference(api, "tabular-mlp", "CLASSIFICATION");
  await waitReady(api, ref.versionId);
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await api?.stop();
});

describe("re-measure and re-evaluate", () => {
  it("adds a measurement with its uncertainty when an ML engineer asks, audited", async () => {
    const ml = await api.userToken("ML_ENGINEER", ref.teamId);
    const before = await api.db.costMeasurement.count({ where: { versionId: ref.versionId } });
    const r = await api.ok<{ remeasureModelVersion: { id: string } }>(REMEASURE, { v: ref.versionId }, ml.token);
    expect(r.remeasureModelVersion.id).toBe(ref.versionId);
    const rows = await until("a second measurement", async () => {
      const all = await api.db.costMeasurement.findMany({
        where: { versionId: ref.versionId },
        orderBy: { measuredAt: "asc" },
      });
      return all.length > before ? all : undefined;
    });
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)!.uncertainty).toBeGreaterThan(0);
    expect(Number.isFinite(rows.at(-1)!.uncertainty)).toBe(true);
    const audit = await api.db.auditEvent.findFirstOrThrow({
      where: { action: "version.remeasure", entityId: ref.versionId },
    });
    expect(audit).toMatchObject({ teamId: ref.teamId, actor: expect.stringContaining("user:") });
    // the version stays READY, and its cost is the newest measurement
    const v = await version(api, ref.versionId);
    expect(v.status).toBe("READY");
    // (money is served with at least 2 decimals and no trailing zeros: 0.00009, not 0.000090)
    expect(v.cost.costPerMillionUsd).toBe(formatMoney(rows.at(-1)!.costPerMillionUsd));
  }, 60_000);

  it("calibrates the profile's speed at its first measurement and normalises every later one to it", async () => {
    const profile = await api.db.hardwareProfile.findFirstOrThrow({ where: { isDefault: true } });
    // The first measurement on this profile (the reference version's) made the calibration.
    const calibration = await api.db.speedCalibration.findFirstOrThrow({ where: { hardwareProfileId: profile.id } });
    expect(calibration).toMatchObject({ backend: "wasm", hostId: "host-under-test" });
    expect(calibration.referenceThroughputPerSecond).toBeGreaterThan(0);
    const [first, ...later] = await api.db.costMeasurement.findMany({
      where: { hardwareProfileId: profile.id },
      orderBy: { measuredAt: "asc" },
    });
    expect(first).toMatchObject({ speedCalibrationId: calibration.id, speedFactor: 1 });
    expect(first!.rawThroughputPerSecond).toBe(first!.throughputPerSecond);

    const ml = await api.userToken("ML_ENGINEER", ref.teamId);
    await api.ok(REMEASURE, { v: ref.versionId }, ml.token);
    const row = await until("a normalised measurement", () =>
      api.db.costMeasurement.findFirst({
        where: { versionId: ref.versionId, measuredAt: { gt: (later.at(-1) ?? first!).measuredAt } },
      }),
    );
    // Normalised to the one calibration: throughput = raw / the machine's speed against it.
    expect(row.speedCalibrationId).toBe(calibration.id);
    expect(row.speedFactor).toBeGreaterThan(0);
    expect(row.throughputPerSecond).not.toBe(row.rawThroughputPerSecond);
    const ratio = row.throughputPerSecond / row.rawThroughputPerSecond!;
    expect(Math.abs(Math.log(ratio * row.speedFactor!))).toBeLessThan(0.15);
    expect(await api.db.speedCalibration.count()).toBe(1);
    // Served with the measurement.
    const served = await api.ok<{ modelVersion: { cost: { speedFactor: number; rawThroughputPerSecond: number } } }>(
      `query($id:ID!){ modelVersion(id:$id){ cost { speedFactor rawThroughputPerSecond } } }`,
      { id: ref.versionId },
      ml.token,
    );
    expect(served.modelVersion.cost).toEqual({
      speedFactor: row.speedFactor,
      rawThroughputPerSecond: row.rawThroughputPerSecond,
    });
  }, 60_000);

  it("refuses a VIEWER, hides other teams' versions, and names an unknown profile", async () => {
    const viewer = await api.userToken("VIEWER", ref.teamId);
    const other = await api.userToken("ML_ENGINEER", await api.createTeam());
    const asViewer = await api.gql(REMEASURE, { v: ref.versionId }, viewer.token);
    expect(asViewer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    for (const q of [REMEASURE, REEVALUATE]) {
      const asOther = await api.gql(q, { v: ref.versionId }, other.token);
      expect(asOther.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    }
    const unknown = await api.gql(REMEASURE, { v: ref.versionId, p: "no-such-profile" }, api.adminToken);
    expect(unknown.errors?.[0]).toMatchObject({
      extensions: { code: "NOT_FOUND" },
      message: expect.stringContaining("no-such-profile"),
    });
  });

  it("evaluates again on the current EVALUATION dataset", async () => {
    const before = await api.db.evaluation.findFirstOrThrow({ where: { versionId: ref.versionId } });
    await api.ok(REEVALUATE, { v: ref.versionId });
    const after = await until("a new evaluation", async () => {
      const e = await api.db.evaluation.findFirstOrThrow({ where: { versionId: ref.versionId } });
      return e.evaluatedAt > before.evaluatedAt ? e : undefined;
    });
    expect(after.value).toBeCloseTo(before.value, 9);
    expect(await api.db.evaluation.count({ where: { versionId: ref.versionId } })).toBe(1);
    expect(await api.db.auditEvent.count({ where: { action: "version.reevaluate", entityId: ref.versionId } })).toBe(1);
  }, 60_000);

  it("evaluates the versions registered before the model had an EVALUATION dataset once it has one", async () => {
    const files = await referenceFiles("iris-mlp");
    const { createModel } = await api.ok<{ createModel: { id: string } }>(
      `mutation($i:CreateModelInput!){ createModel(input:$i){ id } }`,
      { i: { teamId: ref.teamId, name: "iris-late-eval", task: "CLASSIFICATION" } },
    );
    const v = await registerVersion(api, createModel.id, files.modelJson);
    const ready = await waitReady(api, v.id);
    expect(ready.evaluation).toBeNull();
    expect(ready.statusMessage).toMatch(/No EVALUATION dataset/);
    expect((await api.gql(REEVALUATE, { v: v.id }, api.adminToken)).errors?.[0]).toMatchObject({
      extensions: { code: "BAD_USER_INPUT" },
      message: expect.stringMatching(/no EVALUATION dataset/),
    });

    const { artifactId } = await uploadFiles(api, "dataset", [files.evaluation]);
    await api.ok(`mutation($i:RegisterDatasetInput!){ registerDataset(input:$i){ id } }`, {
      i: { modelId: createModel.id, name: "evaluation", role: "EVALUATION", artifactId },
    });
    const evaluated = await until("the version's evaluation", async () => {
      const current = await version(api, v.id);
      return current.evaluation ? current : undefined;
    });
    expect(evaluated.evaluation).toMatchObject({ metric: "accuracy", dataset: { role: "EVALUATION" } });
    expect(evaluated.evaluation.value).toBeCloseTo(files.metric, 6);
    expect(evaluated.statusMessage).toBeNull();
  }, 90_000);
});

describe("TensorFlow work off the event loop", () => {
  it("keeps a job's lock through a step much longer than the lock, and pauses it while another worker on the machine measures", async () => {
    const { createOptimizationPolicy } = await api.ok<{ createOptimizationPolicy: { id: string } }>(
      `mutation($i:CreateOptimizationPolicyInput!){ createOptimizationPolicy(input:$i){ id } }`,
      {
        i: {
          teamId: ref.teamId,
          modelId: ref.modelId,
          name: "long fine-tune",
          steps: [{ kind: "FINE_TUNE", params: { epochs: 6, learningRate: 0.01, batchSize: 16 } }],
          maxAccuracyDrop: 0.05,
        },
      },
    );
    const { runOptimizationPolicy: job } = await api.ok<{ runOptimizationPolicy: { id: string } }>(
      `mutation($p:ID!,$v:ID!){ runOptimizationPolicy(policyId:$p, versionId:$v){ id } }`,
      { p: createOptimizationPolicy.id, v: ref.versionId },
    );
    await until("fine-tuning to run", async () =>
      (await api.db.optimizationJob.findUniqueOrThrow({ where: { id: job.id } })).stage?.includes("fine-tuning"),
    );

    // A second worker process on the same machine measures meanwhile: the training pauses for it.
    const second = await startWorker(api, { WORKER_HOST_ID: "host-under-test", WORKER_METRICS_PORT: "0" });
    const stages = new Set<string>();
    try {
      const before = await api.db.costMeasurement.count({ where: { versionId: ref.versionId } });
      await second.deps.producer.remeasureVersion(ref.versionId, worker.deps.profile.id);
      await until(
        "the measurement, with the training paused",
        async () => {
          const row = await api.db.optimizationJob.findUniqueOrThrow({ where: { id: job.id } });
          if (row.stage) stages.add(row.stage);
          return (await api.db.costMeasurement.count({ where: { versionId: ref.versionId } })) > before;
        },
        60_000,
        100,
      );
    } finally {
      await second.close();
    }
    expect([...stages]).toContain("Paused: a cost measurement is running on this machine");
    const done = await until(
      "the job to end",
      async () => {
        const row = await api.db.optimizationJob.findUniqueOrThrow({ where: { id: job.id } });
        return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(row.status) ? row : undefined;
      },
      120_000,
    );
    expect(done.status).toBe("SUCCEEDED");
    // The lock was never lost: the job ran once, one version for its one step.
    expect(done.attempts).toBe(1);
    expect(done.startedAt!.getTime()).toBeLessThan(done.finishedAt!.getTime() - 3_000);
    expect(await api.db.modelVersion.count({ where: { jobId: job.id } })).toBe(1);
  }, 180_000);
});

describe("class names", () => {
  const createModel = async (teamId: string, name: string, classNames: string[]) =>
    (
      await api.ok<{ createModel: { id: string } }>(`mutation($i:CreateModelInput!){ createModel(input:$i){ id } }`, {
        i: { teamId, name, task: "CLASSIFICATION", classNames },
      })
    ).createModel.id;

  it("fails a version whose outputs are not its model's classes, before measuring it, and keeps one that fits", async () => {
    const three = await createModel(ref.teamId, "three-classes", ["cat", "dog", "bird"]);
    const misfit = await registerVersion(api, three, ref.files.modelJson);
    const failed = await until("the misfit version to fail", async () => {
      const v = await api.db.modelVersion.findUniqueOrThrow({ where: { id: misfit.id } });
      return v.status === "FAILED" ? v : undefined;
    });
    expect(failed.statusMessage).toMatch(
      /this version has 10 outputs but model three-classes names 3 classes \(classNames\)/,
    );
    expect(await api.db.costMeasurement.count({ where: { versionId: misfit.id } })).toBe(0);

    const ten = await createModel(
      ref.teamId,
      "ten-classes",
      Array.from({ length: 10 }, (_, i) => `class-${i}`),
    );
    const fits = await registerVersion(api, ten, ref.files.modelJson);
    expect((await waitReady(api, fits.id)).status).toBe("READY");
  });
});
