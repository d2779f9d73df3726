import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend.ts";
import { datasetFromArrays, disposeDataset, type Dataset } from "./dataset.ts";
import { isMlError } from "./errors.ts";
import { evaluateModel } from "./evaluate.ts";
import { denseSequential, randomizeWeights } from "./fixtures/small-models.ts";
import { quantizeAccuracyAware } from "./quantize-accuracy-aware.ts";
import { quantizeModel } from "./quantize.ts";
import { createRandom } from "./random.ts";
import { tf } from "./tf.ts";

beforeAll(async () => {
  await initBackend();
});

/**
 * 5 features → 'mix' Dense 5 (≈ identity) → 'out' Dense 3 softmax. Feature 4 is always 0 in the
 * data, and its row of out/kernel holds an outlier of 100: harmless in float, but it stretches
 * the uint8 range of out/kernel so far (scale ≈ 0.4) that the real weights (|w| ≈ 0.1) vanish.
 */
async function outlierCase(): Promise<{ model: tf.LayersModel; data: Dataset }> {
  const rnd = createRandom(41);
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [5], units: 5, name: "mix" }),
      tf.layers.dense({ units: 3, activation: "softmax", name: "out" }),
    ],
  });
  // mix's column 4 is 0, so the outlier row of out/kernel only ever multiplies zeros.
  const mix = new Float32Array(25).map((_, i) => (i % 6 === 0 ? 1 : i % 5 === 4 ? 0 : rnd.normal(0, 0.01)));
  const out = new Float32Array(15).map(() => rnd.normal(0, 0.1));
  out.fill(0, 12, 15);
  out[13] = 100;
  const weights = [tf.tensor(mix, [5, 5]), tf.zeros([5]), tf.tensor(out, [5, 3]), tf.zeros([3])];
  model.setWeights(weights);
  tf.dispose(weights);
  // Rows whose two best logits are ≥ 0.05 apart, labelled by the float model: accuracy 1 in float,
  // robust to small (16-bit) weight noise, not to the uint8 collapse of out/kernel.
  const rows = 300;
  const xs = new Float32Array(rows * 5);
  const labels: number[] = [];
  while (labels.length < rows) {
    const x = [rnd.normal(), rnd.normal(), rnd.normal(), rnd.normal(), 0];
    const h = [0, 1, 2, 3, 4].map((j) => x.reduce((s, v, i) => s + v * mix[i * 5 + j]!, 0));
    const logits = [0, 1, 2].map((k) => h.reduce((s, v, j) => s + v * out[j * 3 + k]!, 0));
    const sorted = [...logits].sort((a, b) => b - a);
    if (sorted[0]! - sorted[1]! < 0.05) continue;
    xs.set(x, labels.length * 5);
    labels.push(logits.indexOf(sorted[0]!));
  }
  const data = await datasetFromArrays(xs, labels, { inputShape: [5], task: "classification" });
  return { model, data };
}

describe("quantizeAccuracyAware", () => {
  it("keeps the tensor that plain uint8 ruins at 16 bits and stays within the allowed drop", async () => {
    const { model, data } = await outlierCase();
    // Plain uint8 really does exceed the drop on this model.
    const plain = await tf.loadLayersModel(tf.io.fromMemory(await quantizeModel(model, { dtype: "uint8" })));
    const plainAcc = (await evaluateModel(plain, data, { task: "classification" })).value;
    plain.dispose();
    expect(plainAcc).toBeLessThan(0.9);

    const { artifacts, recipe } = await quantizeAccuracyAware(model, data, {
      task: "classification",
      dtype: "uint8",
      maxDrop: 0.01,
    });
    expect(recipe.before).toBe(1);
    expect(recipe.allUint8).toBeCloseTo(plainAcc, 10);
    expect(recipe.withinDrop).toBe(true);
    expect(recipe.before - recipe.after).toBeLessThanOrEqual(0.01);
    expect(recipe.promoted).toEqual(["out/kernel"]);
    expect(recipe.sensitivities.map((s) => s.name).sort()).toEqual([
      "mix/bias",
      "mix/kernel",
      "out/bias",
      "out/kernel",
    ]);
    const worst = [...recipe.sensitivities].sort((a, b) => b.drop - a.drop)[0];
    expect(worst?.name).toBe("out/kernel");
    const storage = Object.fromEntries(recipe.tensors.map((t) => [t.name, t.dtype]));
    expect(storage["mix/kernel"]).toBe("uint8");
    expect(["uint16", "float16"]).toContain(storage["out/kernel"]);
    const spec = artifacts.weightSpecs?.find((s) => s.name === "out/kernel");
    expect(spec?.quantization?.dtype).toBe(storage["out/kernel"]);

    // What is written is what was measured: plain tfjs loads it at the reported metric.
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    expect((await evaluateModel(loaded, data, { task: "classification" })).value).toBe(recipe.after);
    loaded.dispose();
    model.dispose();
    disposeDataset(data);
  });

  it("stops at plain uint8 when it is already within the drop (regression: relative mse increase)", async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [4], units: 6, activation: "relu" }), tf.layers.dense({ units: 1 })],
    });
    randomizeWeights(model, 42);
    const rnd = createRandom(43);
    const xs = new Float32Array(200 * 4).map(() => rnd.normal());
    const ys = new Float32Array(200).map((_, r) => xs[r * 4]! - 0.5 * xs[r * 4 + 1]!);
    const data = await datasetFromArrays(xs, ys, { inputShape: [4], task: "regression" });
    const { recipe } = await quantizeAccuracyAware(model, data, { task: "regression", maxDrop: 0.5 });
    expect(recipe.metric).toBe("mse");
    expect(recipe.promoted).toEqual([]);
    expect(recipe.sensitivities).toEqual([]);
    expect(recipe.tensors.every((t) => t.dtype === "uint8")).toBe(true);
    expect(recipe.drop).toBeCloseTo((recipe.after - recipe.before) / recipe.before, 12);
    expect(recipe.withinDrop).toBe(true);
    model.dispose();
    disposeDataset(data);
  });

  it("refuses bad options with a clear MlError and leaks no tensors", async () => {
    const model = denseSequential();
    const data = await datasetFromArrays(new Float32Array(12), [0, 1], { inputShape: [6], task: "classification" });
    const before = tf.memory().numTensors;
    const cases: [unknown, RegExp][] = [
      [{ task: "classification", maxDrop: -1 }, /maxDrop must be a number ≥ 0 \(got -1\)/],
      [{ task: "classification", maxDrop: 0.01, dtype: "float16" }, /starts from uint8 \(got dtype "float16"\)/],
      [{ task: "ranking", maxDrop: 0.01 }, /task must be 'classification' or 'regression' \(got "ranking"\)/],
      [{ task: "classification", maxDrop: 0.01, fallbackDtype: "int16" }, /fallbackDtype must be/],
    ];
    for (const [opts, message] of cases) {
      const err = await quantizeAccuracyAware(model, data, opts as never).catch((e: unknown) => e);
      expect(isMlError(err, "BAD_PARAM"), String(err)).toBe(true);
      expect((err as Error).message).toMatch(message);
    }
    await quantizeAccuracyAware(model, data, { task: "classification", maxDrop: 0 });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    disposeDataset(data);
  });
});

describe("quantizeAccuracyAware on inputs without labels", () => {
  it("calibrates on agreement with the float model and keeps the ruined tensor at 16 bits", async () => {
    const { model, data } = await outlierCase();
    const inputs = { xs: data.xs, rows: data.rows, featureCount: data.featureCount };
    const { recipe } = await quantizeAccuracyAware(model, inputs, {
      task: "classification",
      dtype: "uint8",
      maxDrop: 0.01,
    });
    expect(recipe).toMatchObject({ metric: "agreement", before: 1, withinDrop: true, promoted: ["out/kernel"] });
    expect(recipe.allUint8).toBeLessThan(0.9);
    model.dispose();
    disposeDataset(data);
  });
});
