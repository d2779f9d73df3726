import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uploadFiles } from "@costgate/testkit";
import {
  TestApi,
  referenceFiles,
  registerVersion,
  startWorker,
  until,
  version,
  waitReady,
  VERSION_FIELDS,
} from "../../test/flow.ts";
import type { CostgateWorker } from "../create-worker.ts";

/**
 * Issue #11, image datasets through the API and a real worker: MobileNetV2-small (64x64x3) with a
 * TRAIN and an EVALUATION dataset uploaded as zips of PNGs in label folders (named by the model's
 * class names), decoded once by registerDataset; version 1 is evaluated on the evaluation images,
 * and a FINE_TUNE step trains on the train images batch by batch and is evaluated the same way.
 */
let api: TestApi;
let worker: CostgateWorker;
let modelId: string;
let teamId: string;
let sourceId: string;
let evaluationRows: number;
let csvAccuracy: number;

const JOB = `id status stage error candidates { ${VERSION_FIELDS} }`;

beforeAll(async () => {
  api = await TestApi.start();
  worker = await startWorker(api);
  const files = await referenceFiles("mobilenet-v2-small");
  csvAccuracy = files.metric;
  teamId = await api.createTeam();
  const { createModel } = await api.ok<{ createModel: { id: string } }>(
    `mutation($i:CreateModelInput!){ createModel(input:$i){ id } }`,
    { i: { teamId, name: "shapes", task: "CLASSIFICATION", classNames: files.classNames } },
  );
  modelId = createModel.id;
  // Images are decoded at the model's input size: the version comes first.
  sourceId = (await registerVersion(api, modelId, files.modelJson)).id;
  for (const [role, path] of [
    ["TRAIN", files.images!.train],
    ["EVALUATION", files.images!.evaluation],
  ] as const) {
    const { artifactId } = await uploadFiles(api, "dataset", [path]);
    const { registerDataset } = await api.ok<{ registerDataset: { rows: number; format: string; labels: string[] } }>(
      `mutation($i:RegisterDatasetInput!){ registerDataset(input:$i){ rows format labels preprocessing } }`,
      { i: { modelId, name: role.toLowerCase(), role, artifactId, preprocessing: { scale: "ZERO_ONE" } } },
    );
    expect(registerDataset).toMatchObject({ format: "images", labels: [...files.classNames!].sort() });
    if (role === "EVALUATION") evaluationRows = registerDataset.rows;
  }
}, 300_000);

afterAll(async () => {
  await worker?.close();
  await api?.stop();
});

describe("MobileNetV2-small on image zips", () => {
  it("evaluates version 1 on the evaluation images and fine-tunes on the train images", async () => {
    expect((await waitReady(api, sourceId, 300_000)).status).toBe("READY");
    // Registered before the datasets, version 1 is evaluated again once the EVALUATION images are there.
    const source = await until(
      "version 1 evaluated on the evaluation images",
      async () => {
        const v = await version(api, sourceId);
        return v.evaluation ? v : undefined;
      },
      300_000,
    );
    expect(source.evaluation).toMatchObject({
      metric: "accuracy",
      samples: evaluationRows,
      dataset: { role: "EVALUATION" },
    });
    // The same images as the reference's evaluation CSV (which holds v / 255 rounded to 2 decimals):
    // the accuracy the generator measured on the CSV, give or take an image or two.
    expect(Math.abs(source.evaluation.value - csvAccuracy)).toBeLessThanOrEqual(2 / evaluationRows + 1e-9);

    const { createOptimizationPolicy } = await api.ok<{ createOptimizationPolicy: { id: string } }>(
      `mutation($i:CreateOptimizationPolicyInput!){ createOptimizationPolicy(input:$i){ id } }`,
      {
        i: {
          teamId,
          modelId,
          name: "tune-on-images",
          steps: [{ kind: "FINE_TUNE", params: { epochs: 1, learningRate: 0.01, batchSize: 16, momentum: 0.9 } }],
          maxAccuracyDrop: 1,
        },
      },
    );
    const { runOptimizationPolicy } = await api.ok<{ runOptimizationPolicy: { id: string } }>(
      `mutation($p:ID!,$v:ID!){ runOptimizationPolicy(policyId:$p, versionId:$v){ id } }`,
      { p: createOptimizationPolicy.id, v: sourceId },
    );
    const job = await until(
      "the fine-tuning job to finish",
      async () => {
        const j = (
          await api.ok<{ optimizationJob: any }>(`query($id:ID!){ optimizationJob(id:$id){ ${JOB} } }`, {
            id: runOptimizationPolicy.id,
          })
        ).optimizationJob;
        return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(j.status) ? j : undefined;
      },
      500_000,
    );
    expect(job.error).toBeNull();
    expect(job.status).toBe("SUCCEEDED");
    const [tuned] = job.candidates;
    expect(tuned.source).toBe("FINE_TUNE");
    expect(tuned.recipe.result).toMatchObject({ epochsRun: 1 });
    expect(tuned.evaluation).toMatchObject({
      metric: "accuracy",
      samples: evaluationRows,
      dataset: { role: "EVALUATION" },
    });
  }, 700_000);
});

describe("MobileNetV2-small: PRUNE then DISTILL from an UNLABELED image zip", () => {
  it("distills on the unlabeled images (no labels used) and evaluates on the evaluation images", async () => {
    const files = await referenceFiles("mobilenet-v2-small");
    const { createModel } = await api.ok<{ createModel: { id: string } }>(
      `mutation($i:CreateModelInput!){ createModel(input:$i){ id } }`,
      { i: { teamId, name: "shapes from traffic", task: "CLASSIFICATION", classNames: files.classNames } },
    );
    const source = (await registerVersion(api, createModel.id, files.modelJson)).id;
    // No TRAIN dataset: DISTILL must take its inputs from the unlabeled zip.
    const rows: Record<string, number> = {};
    for (const [role, path] of [
      ["EVALUATION", files.images!.evaluation],
      ["UNLABELED", files.images!.unlabeled],
    ] as const) {
      const { artifactId } = await uploadFiles(api, "dataset", [path]);
      const { registerDataset } = await api.ok<{ registerDataset: { rows: number; labels: string[] | null } }>(
        `mutation($i:RegisterDatasetInput!){ registerDataset(input:$i){ rows labels } }`,
        {
          i: {
            modelId: createModel.id,
            name: role.toLowerCase(),
            role,
            artifactId,
            preprocessing: { scale: "ZERO_ONE" },
          },
        },
      );
      rows[role] = registerDataset.rows;
      if (role === "UNLABELED") expect(registerDataset.labels ?? []).toEqual([]);
    }
    await until("version 1 evaluated", async () => (await version(api, source)).evaluation, 300_000);

    const { createOptimizationPolicy } = await api.ok<{ createOptimizationPolicy: { id: string } }>(
      `mutation($i:CreateOptimizationPolicyInput!){ createOptimizationPolicy(input:$i){ id } }`,
      {
        i: {
          teamId,
          modelId: createModel.id,
          name: "prune-distill-images",
          steps: [
            { kind: "PRUNE", params: { method: "structured", sparsity: 0.3 } },
            { kind: "DISTILL", params: { epochs: 1, learningRate: 0.01, batchSize: 16, temperature: 2 } },
          ],
          maxAccuracyDrop: 1,
        },
      },
    );
    const { runOptimizationPolicy } = await api.ok<{ runOptimizationPolicy: { id: string } }>(
      `mutation($p:ID!,$v:ID!){ runOptimizationPolicy(policyId:$p, versionId:$v){ id } }`,
      { p: createOptimizationPolicy.id, v: source },
    );
    const job = await until(
      "the prune-distill job to finish",
      async () => {
        const j = (
          await api.ok<{ optimizationJob: any }>(`query($id:ID!){ optimizationJob(id:$id){ ${JOB} } }`, {
            id: runOptimizationPolicy.id,
          })
        ).optimizationJob;
        return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(j.status) ? j : undefined;
      },
      600_000,
    );
    expect(job.error).toBeNull();
    expect(job.status).toBe("SUCCEEDED");
    const [pruned, distilled] = job.candidates;
    expect(pruned.source).toBe("PRUNE");
    expect(distilled.source).toBe("DISTILL");
    expect(distilled.recipe.result).toMatchObject({
      teacherVersionId: source,
      rows: rows.UNLABELED,
      inputsFrom: "UNLABELED",
      labelsUsed: false,
      epochs: 1,
    });
    // Evaluated on the labelled evaluation images, not by agreement: the model has an EVALUATION set.
    for (const v of [pruned, distilled])
      expect(v.evaluation).toMatchObject({
        metric: "accuracy",
        samples: rows.EVALUATION,
        dataset: { role: "EVALUATION" },
      });
  }, 900_000);
});
