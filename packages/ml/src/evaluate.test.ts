import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend.ts";
import { datasetFromArrays, disposeDataset } from "./dataset.ts";
import { evaluateModel } from "./evaluate.ts";
import { tf } from "./tf.ts";

beforeAll(async () => {
  await initBackend();
});

/** Dense 2 -> units with fixed weights. */
function fixed(
  units: number,
  activation: "softmax" | "linear" | "sigmoid",
  kernel: number[],
  bias: number[],
): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [2], units, activation }));
  m.layers[0]!.setWeights([tf.tensor2d(kernel, [2, units]), tf.tensor1d(bias)]);
  return m;
}

const X = [1, 0, 0, 1, 2, 1, -1, 3, 0.5, 0.5];
const Y = [0, 1, 0, 1, 1]; // the last row is a tie broken towards class 0 -> wrong

function softmax(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe("evaluateModel", () => {
  it("accuracy and cross-entropy of a softmax classifier match a hand computation, at any batch size", async () => {
    const m = fixed(2, "softmax", [1, 0, 0, 1], [0, 0]); // logits = x
    const ds = await datasetFromArrays(X, Y, { inputShape: [2], task: "classification" });
    let correct = 0;
    let ce = 0;
    for (let r = 0; r < 5; r++) {
      const z = [X[2 * r]!, X[2 * r + 1]!];
      const p = softmax(z);
      if ((z[1]! > z[0]! ? 1 : 0) === Y[r]) correct++;
      ce -= Math.log(p[Y[r]!]!);
    }
    for (const batchSize of [1, 2, 256]) {
      const before = tf.memory().numTensors;
      const r = await evaluateModel(m, ds, { task: "classification", batchSize });
      expect(tf.memory().numTensors).toBe(before);
      expect(r.metric).toBe("accuracy");
      expect(r.samples).toBe(5);
      expect(r.value).toBe(correct / 5);
      expect(r.loss).toBeCloseTo(ce / 5, 5);
    }
    expect(correct).toBe(4);
    m.dispose();
    disposeDataset(ds);
  });

  it("a model that outputs logits (no softmax) gets the same accuracy and loss", async () => {
    const probs = fixed(2, "softmax", [1, 0, 0, 1], [0, 0]);
    const logits = fixed(2, "linear", [1, 0, 0, 1], [0, 0]);
    const ds = await datasetFromArrays(X, Y, { inputShape: [2], task: "classification" });
    const a = await evaluateModel(probs, ds, { task: "classification" });
    const b = await evaluateModel(logits, ds, { task: "classification" });
    expect(b.value).toBe(a.value);
    expect(b.loss).toBeCloseTo(a.loss, 5);
    probs.dispose();
    logits.dispose();
    disposeDataset(ds);
  });

  it("binary classifiers with one sigmoid output", async () => {
    const m = fixed(1, "sigmoid", [1, -1], [0]); // p(1) = sigmoid(x0 - x1)
    const ds = await datasetFromArrays(X, [1, 0, 1, 0, 1], { inputShape: [2], task: "classification" });
    const r = await evaluateModel(m, ds, { task: "classification" });
    // x0 - x1 = 1, -1, 1, -4, 0 -> predicted 1, 0, 1, 0, 0
    expect(r.value).toBe(4 / 5);
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const ce =
      -[Math.log(sig(1)), Math.log(1 - sig(-1)), Math.log(sig(1)), Math.log(1 - sig(-4)), Math.log(sig(0))].reduce(
        (a, b) => a + b,
      ) / 5;
    expect(r.loss).toBeCloseTo(ce, 5);
    m.dispose();
    disposeDataset(ds);
  });

  it("mean squared error of a regression model", async () => {
    const m = fixed(1, "linear", [2, -1], [0.5]);
    const targets = [2, 0, 4, -5, 1];
    const ds = await datasetFromArrays(X, targets, { inputShape: [2], task: "regression" });
    let se = 0;
    for (let r = 0; r < 5; r++) se += (2 * X[2 * r]! - X[2 * r + 1]! + 0.5 - targets[r]!) ** 2;
    const r = await evaluateModel(m, ds, { task: "regression", batchSize: 2 });
    expect(r.metric).toBe("mse");
    expect(r.value).toBeCloseTo(se / 5, 5);
    expect(r.loss).toBeCloseTo(se / 5, 5);
    m.dispose();
    disposeDataset(ds);
  });

  it("refuses datasets and tasks that do not fit the model", async () => {
    const m = fixed(2, "softmax", [1, 0, 0, 1], [0, 0]);
    const three = await datasetFromArrays([1, 2, 3], [0], { inputShape: [3], task: "classification" });
    await expect(evaluateModel(m, three, { task: "classification" })).rejects.toMatchObject({
      code: "BAD_DATASET",
      message: expect.stringContaining("rows have shape [3] but the model expects [2]"),
    });
    const manyLabels = await datasetFromArrays([1, 2], [4], { inputShape: [2], task: "classification" });
    await expect(evaluateModel(m, manyLabels, { task: "classification" })).rejects.toThrow(
      /labels up to 4 but the model outputs only 2 classes/,
    );
    const reg = await datasetFromArrays([1, 2], [0.5], { inputShape: [2], task: "regression" });
    await expect(evaluateModel(m, reg, { task: "regression" })).rejects.toThrow(
      /regression model must have 1 output unit, this one has 2/,
    );
    await expect(evaluateModel(m, reg, { task: "classification" })).rejects.toThrow(
      /loaded for regression, but the task is classification/,
    );
    await expect(evaluateModel(m, three, { task: "ranking" as "regression" })).rejects.toMatchObject({
      code: "BAD_PARAM",
    });
    await expect(evaluateModel(m, manyLabels, { task: "classification", batchSize: 0 })).rejects.toThrow(/batchSize/);
    disposeDataset(reg);
    await expect(evaluateModel(m, reg, { task: "regression" })).rejects.toThrow(/disposed/);
    m.dispose();
    disposeDataset(three);
    disposeDataset(manyLabels);
  });
});
