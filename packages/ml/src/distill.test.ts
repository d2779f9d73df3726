import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { agreementWith } from "./agreement.ts";
import { initBackend } from "./backend.ts";
import { disposeDataset, loadCsvDataset, loadCsvInputs } from "./dataset.ts";
import { distill, type DistillOptions } from "./distill.ts";
import { isMlError } from "./errors.ts";
import { evaluateModel } from "./evaluate.ts";
import { denseSequential, randomInput, randomizeWeights } from "./fixtures/small-models.ts";
import { loadModel } from "./model-io.ts";
import { pruneStructured } from "./prune-structured.ts";
import { ensureReferenceModels } from "./reference/generate.ts";
import { tf } from "./tf.ts";

beforeAll(async () => {
  await initBackend();
});

/** The same CSV without its label column: inputs only, as an UNLABELED dataset holds them. */
function withoutLabels(csvPath: string, outPath: string): string {
  const lines = readFileSync(csvPath, "utf8").split("\n");
  const labelAt = lines[0]!.split(",").indexOf("label");
  const out = lines.map((l) =>
    l === ""
      ? l
      : l
          .split(",")
          .filter((_, i) => i !== labelAt)
          .join(","),
  );
  writeFileSync(outPath, out.join("\n"));
  return outPath;
}

function pair(seed: number) {
  const teacher = denseSequential();
  randomizeWeights(teacher, seed);
  const student = denseSequential();
  randomizeWeights(student, seed + 100);
  return { teacher, student, inputs: { xs: randomInput([120, 6], seed), rows: 120, featureCount: 6 } };
}

describe("loadCsvInputs", () => {
  const dir = mkdtempSync(join(tmpdir(), "costgate-inputs-"));

  it("reads every column as an input, no label needed", async () => {
    writeFileSync(join(dir, "u.csv"), "a,b,c,d\n1,2,3,4\n5,6,7,8\n");
    const inputs = await loadCsvInputs(join(dir, "u.csv"), { inputShape: [2, 2] });
    expect(inputs.rows).toBe(2);
    expect(inputs.xs.shape).toEqual([2, 2, 2]);
    expect(Array.from(inputs.xs.dataSync())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect("ys" in inputs).toBe(false);
    disposeDataset(inputs);
  });

  it("refuses a label column: an UNLABELED set holds inputs only", async () => {
    writeFileSync(join(dir, "l.csv"), "a,label\n1,0\n");
    const err = await loadCsvInputs(join(dir, "l.csv"), { inputShape: [1] }).catch((e: unknown) => e);
    expect(isMlError(err) && err.code).toBe("BAD_DATASET");
    expect((err as Error).message).toMatch(
      /column 2 \("label"\) is a label column, and inputs without labels \(an UNLABELED dataset\) have none/,
    );
  });
});

describe("distill", () => {
  it("lowers the loss towards the teacher and raises agreement, leaving the teacher unchanged", async () => {
    const { teacher, student, inputs } = pair(1);
    const teacherBefore = teacher.getWeights().map((w) => Array.from(w.dataSync()));
    const before = await agreementWith(student, teacher, inputs, { task: "classification" });
    const result = await distill(student, teacher, inputs, {
      task: "classification",
      epochs: 40,
      learningRate: 0.5,
      batchSize: 16,
      temperature: 2,
    });
    expect(result).toMatchObject({ loss: "kl-divergence x T^2", temperature: 2, rows: 120, epochsRun: 40 });
    expect(result.history[39]!.loss).toBeLessThan(result.history[0]!.loss * 0.5);
    expect(result.finalLoss).toBe(result.history[39]!.loss);
    const after = await agreementWith(student, teacher, inputs, { task: "classification" });
    expect(after.value).toBeGreaterThan(before.value);
    expect(after.value).toBeGreaterThan(0.85);
    expect(teacher.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(teacherBefore);
  });

  it("reports progress after every batch and stops at the next batch when aborted", async () => {
    const { teacher, student, inputs } = pair(2);
    const abort = new AbortController();
    const seen: number[] = [];
    const result = await distill(student, teacher, inputs, {
      task: "classification",
      epochs: 3,
      learningRate: 0.1,
      batchSize: 30,
      signal: abort.signal,
      onProgress: (p) => {
        seen.push(p.fraction);
        if (p.epoch === 2 && p.batch === 2) abort.abort();
      },
    });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6].map((b) => b / 12));
    expect(result).toMatchObject({ cancelled: true, epochsRun: 1 });
  });

  it("stops at its deadline after the batch that crosses it, keeping what it learnt", async () => {
    const { teacher, student, inputs } = pair(4);
    const opts: DistillOptions = {
      task: "classification",
      epochs: 3,
      learningRate: 0.1,
      batchSize: 30,
      deadline: Date.now() + 3_600_000,
      onProgress: (p) => {
        if (p.epoch === 2 && p.batch === 1) opts.deadline = Date.now() - 1;
      },
    };
    const result = await distill(student, teacher, inputs, opts);
    expect(result).toMatchObject({ timeUp: true, cancelled: false, epochsRun: 1, batchesRun: 5 });
    expect(Number.isFinite(result.finalLoss)).toBe(true);
    const past = await distill(student, teacher, inputs, { ...opts, onProgress: undefined, deadline: Date.now() - 1 });
    expect(past).toMatchObject({ timeUp: true, epochsRun: 0, batchesRun: 1 });
  });

  it("keeps zero kernel weights at zero and refuses a temperature that is not > 0", async () => {
    const { teacher, student, inputs } = pair(3);
    const k = student.getLayer("hidden1").getWeights()[0]!;
    const zeroed = tf.tidy(() => tf.where(tf.less(tf.abs(k), 0.3), tf.zerosLike(k), k));
    student.getLayer("hidden1").setWeights([zeroed, student.getLayer("hidden1").getWeights()[1]!]);
    const zerosBefore = Array.from(zeroed.dataSync()).filter((v) => v === 0).length;
    expect(zerosBefore).toBeGreaterThan(0);
    await distill(student, teacher, inputs, { task: "classification", epochs: 2, learningRate: 0.5, batchSize: 16 });
    const after = Array.from(student.getLayer("hidden1").getWeights()[0]!.dataSync()).filter((v) => v === 0);
    expect(after.length).toBe(zerosBefore);
    const err = await distill(student, teacher, inputs, {
      task: "classification",
      epochs: 1,
      learningRate: 0.1,
      batchSize: 16,
      temperature: 0,
    }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/temperature must be a number > 0, got 0/);
  });

  it("regression: matches the teacher's values (mse), agreement is R² of the teacher's outputs", async () => {
    const make = (seed: number) => {
      const m = tf.sequential({
        layers: [tf.layers.dense({ inputShape: [4], units: 8, activation: "tanh" }), tf.layers.dense({ units: 1 })],
      });
      randomizeWeights(m, seed);
      return m;
    };
    const teacher = make(4);
    const student = make(5);
    const inputs = { xs: randomInput([100, 4], 6), rows: 100, featureCount: 4 };
    expect((await agreementWith(teacher, teacher, inputs, { task: "regression" })).value).toBe(1);
    const before = await agreementWith(student, teacher, inputs, { task: "regression" });
    const result = await distill(student, teacher, inputs, {
      task: "regression",
      epochs: 60,
      learningRate: 0.05,
      batchSize: 10,
    });
    expect(result.loss).toBe("mse-to-teacher");
    expect(result.history[59]!.loss).toBeLessThan(result.history[0]!.loss);
    const after = await agreementWith(student, teacher, inputs, { task: "regression" });
    expect(after.value).toBeGreaterThan(before.value);
  });
});

describe("distill on the digits CNN reference", () => {
  it("recovers the agreement and accuracy a 50% structured pruning lost, from unlabeled inputs", async () => {
    const manifest = await ensureReferenceModels(undefined, { only: ["digits-cnn"] });
    const files = manifest.models.find((m) => m.name === "digits-cnn")!.files;
    const dir = mkdtempSync(join(tmpdir(), "costgate-distill-"));
    const teacher = await loadModel(files.modelJson);
    const inputs = await loadCsvInputs(withoutLabels(files.train, join(dir, "unlabeled.csv")), {
      inputShape: [28, 28, 1],
      limit: 1500,
    });
    const evaluation = await loadCsvDataset(files.evaluation, { inputShape: [28, 28, 1], task: "classification" });
    const source = (await evaluateModel(teacher, evaluation, { task: "classification" })).value;
    const { model: pruned } = await pruneStructured(teacher, { sparsity: 0.5 });
    const prunedAcc = (await evaluateModel(pruned, evaluation, { task: "classification" })).value;
    const prunedAgreement = (await agreementWith(pruned, teacher, evaluation, { task: "classification" })).value;
    const result = await distill(pruned, teacher, inputs, {
      task: "classification",
      epochs: 3,
      learningRate: 0.05,
      batchSize: 32,
      temperature: 2,
    });
    const distilled = (await evaluateModel(pruned, evaluation, { task: "classification" })).value;
    const agreement = (await agreementWith(pruned, teacher, evaluation, { task: "classification" })).value;
    expect(result.rows).toBe(1500);
    expect(result.history[2]!.loss).toBeLessThan(result.history[0]!.loss);
    expect(agreement).toBeGreaterThan(prunedAgreement);
    expect(distilled).toBeGreaterThan(prunedAcc);
    expect(distilled).toBeGreaterThanOrEqual(source - 0.02);
    disposeDataset(inputs);
    disposeDataset(evaluation);
  }, 300_000);
});
