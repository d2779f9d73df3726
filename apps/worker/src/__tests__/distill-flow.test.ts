import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disposeDataset, evaluateModel, loadCsvDataset, loadModel } from "@costgate/ml";
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
 * Issue #11 items 5 and 6 through the API and a real worker: a digits CNN whose model has only
 * an UNLABELED dataset (no labels anywhere) is pruned 50% (structured) and distilled from its
 * source version; every candidate is evaluated by agreement with the source, and the guardrail
 * says it used agreement.
 */
let api: TestApi;
let worker: CostgateWorker;
let files: Awaited<ReturnType<typeof referenceFiles>>;
let modelId: string;
let teamId: string;
let sourceId: string;
const ROWS = 1200;

const JOB = `id status progress stage error result candidates { ${VERSION_FIELDS} } bestVersion { id number } sourceVersion { id }`;

/** The first `rows` rows of a CSV without its label column. */
function inputsOnly(csvPath: string, rows: number): string {
  const lines = readFileSync(csvPath, "utf8")
    .trimEnd()
    .split("\n")
    .slice(0, rows + 1);
  const labelAt = lines[0]!.split(",").indexOf("label");
  const out = join(mkdtempSync(join(tmpdir(), "costgate-unlabeled-")), "traffic.csv");
  writeFileSync(
    out,
    lines
      .map((l) =>
        l
          .split(",")
          .filter((_, i) => i !== labelAt)
          .join(","),
      )
      .join("\n") + "\n",
  );
  return out;
}

beforeAll(async () => {
  api = await TestApi.start();
  worker = await startWorker(api);
  files = await referenceFiles("digits-cnn");
  teamId = await api.createTeam();
  const { createModel } = await api.ok<{ createModel: { id: string } }>(
    `mutation($i:CreateModelInput!){ createModel(input:$i){ id } }`,
    { i: { teamId, name: "digits", task: "CLASSIFICATION" } },
  );
  modelId = createModel.id;
  const { artifactId } = await uploadFiles(api, "dataset", [inputsOnly(files.train, ROWS)]);
  const { registerDataset } = await api.ok<{ registerDataset: { role: string; rows: number } }>(
    `mutation($i:RegisterDatasetInput!){ registerDataset(input:$i){ role rows } }`,
    { i: { modelId, name: "traffic sample", role: "UNLABELED", artifactId } },
  );
  expect(registerDataset).toEqual({ role: "UNLABELED", rows: ROWS });
  sourceId = (await registerVersion(api, modelId, files.modelJson)).id;
}, 180_000);

afterAll(async () => {
  await worker?.close();
  await api?.stop();
});

async function accuracyOf(sha256: string): Promise<number> {
  const model = await loadModel(join(await api.server.store.get(sha256), "model.json"));
  const data = await loadCsvDataset(files.evaluation, { inputShape: [28, 28, 1], task: "classification" });
  try {
    return (await evaluateModel(model, data, { task: "classification" })).value;
  } finally {
    disposeDataset(data);
    model.dispose();
  }
}

describe("PRUNE structured 50% then DISTILL from an UNLABELED dataset", () => {
  it("makes a distilled version evaluated by agreement with the source, and the guardrail says so", async () => {
    const source = await waitReady(api, sourceId, 180_000);
    expect(source.status).toBe("READY");
    expect(source.evaluation).toBeNull();

    const { createOptimizationPolicy } = await api.ok<{ createOptimizationPolicy: { id: string } }>(
      `mutation($i:CreateOptimizationPolicyInput!){ createOptimizationPolicy(input:$i){ id } }`,
      {
        i: {
          teamId,
          modelId,
          name: "prune-distill",
          steps: [
            { kind: "PRUNE", params: { method: "structured", sparsity: 0.5 } },
            { kind: "DISTILL", params: { epochs: 2, learningRate: 0.05, batchSize: 32, temperature: 2 } },
          ],
          maxAccuracyDrop: 0.02,
        },
      },
    );
    const { runOptimizationPolicy } = await api.ok<{ runOptimizationPolicy: { id: string } }>(
      `mutation($p:ID!,$v:ID!){ runOptimizationPolicy(policyId:$p, versionId:$v){ id } }`,
      { p: createOptimizationPolicy.id, v: sourceId },
    );
    const stages = new Set<string>();
    const job = await until(
      "the prune-distill job to finish",
      async () => {
        const j = (
          await api.ok<{ optimizationJob: any }>(`query($id:ID!){ optimizationJob(id:$id){ ${JOB} } }`, {
            id: runOptimizationPolicy.id,
          })
        ).optimizationJob;
        if (j.stage) stages.add(j.stage);
        return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(j.status) ? j : undefined;
      },
      400_000,
    );
    expect(job.error).toBeNull();
    expect(job.status).toBe("SUCCEEDED");
    expect([...stages].some((s) => /Step 2\/2: distilling from the source version: epoch \d\/2/.test(s))).toBe(true);

    const [pruned, distilled] = job.candidates;
    expect(pruned.source).toBe("PRUNE");
    expect(distilled.source).toBe("DISTILL");
    expect(distilled.parent.id).toBe(pruned.id);
    expect(distilled.recipe).toMatchObject({
      kind: "DISTILL",
      params: { epochs: 2, learningRate: 0.05, batchSize: 32, temperature: 2 },
      result: {
        teacherVersionId: sourceId,
        temperature: 2,
        epochs: 2,
        rows: ROWS,
        inputsFrom: "UNLABELED",
        labelsUsed: false,
        loss: "kl-divergence x T^2",
      },
    });
    expect(distilled.recipe.result.finalLoss).toBeGreaterThanOrEqual(0);
    expect(distilled.recipe.result.history).toHaveLength(2);

    // Both candidates: agreement with the source on the UNLABELED inputs, as the API serves it.
    for (const v of [pruned, distilled]) {
      expect(v.evaluation).toMatchObject({ metric: "agreement", samples: ROWS, dataset: { role: "UNLABELED" } });
      // "evaluated by agreement with its job's source version", or the guardrail's rejection in agreement's terms
      expect(v.statusMessage ?? "").toMatch(/agreement with (its job's|the) source version/);
    }
    expect(distilled.evaluation.value).toBeGreaterThan(pruned.evaluation.value);
    expect(distilled.evaluation.value).toBeGreaterThanOrEqual(0.98);
    expect(distilled.stage).not.toBe("REJECTED");
    expect(job.result.steps[1].withinGuardrail).toBe(true);
    if (job.bestVersion) expect(job.bestVersion.id).toBe(distilled.id);

    // The guardrail used agreement and says so.
    expect(job.result).toMatchObject({ metric: "agreement", source: { versionId: sourceId, metric: 1 } });
    expect(job.result.metricNote).toMatch(/no EVALUATION dataset: the guardrail used agreement with the source/);
    for (const step of job.result.steps)
      expect(step.reason).toMatch(/^agreement with the source version \d+\.\d\d% on its UNLABELED dataset/);
    expect(job.result.steps[1].metric).toBe(distilled.evaluation.value);

    // On the labelled held-out set (which Costgate never saw), distillation won back accuracy.
    const [sourceAcc, prunedAcc, distilledAcc] = [
      await accuracyOf((await version(api, sourceId)).artifact.sha256),
      await accuracyOf(pruned.artifact.sha256),
      await accuracyOf(distilled.artifact.sha256),
    ];
    expect(distilledAcc).toBeGreaterThan(prunedAcc);
    expect(distilledAcc).toBeGreaterThan(sourceAcc - 0.03);
  }, 600_000);
});
