import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend.ts";
import { isMlError } from "./errors.ts";
import { inspectModel } from "./inspect.ts";
import {
  cnnWithBatchNorm,
  denseSequential,
  maxAbsDiff,
  predictArray,
  randomInput,
  randomizeWeights,
  residualConcatModel,
  saveAndLoad,
  zeroLastAxis,
} from "./fixtures/small-models.ts";
import { pruneStructured } from "./prune-structured.ts";
import { tf } from "./tf.ts";

beforeAll(async () => {
  await initBackend();
});

function units(model: tf.LayersModel, name: string): number {
  const shape = model.getLayer(name).outputShape as number[];
  return shape[shape.length - 1] as number;
}

describe("pruneStructured", () => {
  it("halves the hidden Dense layers of a Sequential model, keeps the output layer and the output shape", async () => {
    const model = denseSequential();
    randomizeWeights(model, 1);
    const { model: pruned, recipe } = await pruneStructured(model, { sparsity: 0.5 });
    expect(units(pruned, "hidden1")).toBe(4);
    expect(units(pruned, "hidden2")).toBe(4);
    expect(units(pruned, "out")).toBe(3);
    expect(pruned.outputs[0]?.shape).toEqual([null, 3]);
    expect(recipe.layers.map((l) => [l.name, l.before, l.after])).toEqual([
      ["hidden1", 8, 4],
      ["hidden2", 8, 4],
    ]);
    expect(recipe.leftAlone).toEqual([{ layers: ["out"], reasons: [expect.stringContaining("model output")] }]);
    expect(recipe.params.after).toBeLessThan(recipe.params.before);
    expect(recipe.params.after).toBe(pruned.countParams());
    // 6·8 + 8·8 + 8·3 MACs → 6·4 + 4·4 + 4·3
    expect(recipe.macs).toEqual({ before: 136, after: 52 });
    expect(inspectModel(pruned).macs).toBe(52);
    // The input model is untouched.
    expect(units(model, "hidden1")).toBe(8);
    model.dispose();
    pruned.dispose();
  });

  it("gives the same outputs when the removed units were exactly zero (Sequential Dense)", async () => {
    const model = denseSequential();
    randomizeWeights(model, 2);
    zeroLastAxis(model, "hidden1", ["kernel", "bias"], [0, 3, 5, 6]);
    zeroLastAxis(model, "hidden2", ["kernel", "bias"], [1, 2, 4, 7]);
    const { model: pruned } = await pruneStructured(model, { sparsity: 0.5 });
    const x = randomInput([16, 6], 3);
    expect(maxAbsDiff(predictArray(model, x), predictArray(pruned, x))).toBeLessThan(1e-5);
    x.dispose();
    model.dispose();
    pruned.dispose();
  });

  it("prunes a CNN with BatchNorm and Flatten and keeps outputs when the removed filters were zero", async () => {
    const model = cnnWithBatchNorm();
    randomizeWeights(model, 4);
    // A zero filter gives BN input 0; with beta = mean = 0 the channel is exactly 0 after BN.
    zeroLastAxis(model, "conv1", ["kernel", "bias"], [1, 2]);
    zeroLastAxis(model, "bn1", ["beta", "moving_mean"], [1, 2]);
    zeroLastAxis(model, "conv2", ["kernel", "bias"], [0, 3, 4]);
    zeroLastAxis(model, "bn2", ["beta", "moving_mean"], [0, 3, 4]);
    zeroLastAxis(model, "fc", ["kernel", "bias"], [2, 3, 6, 7]);
    const { model: pruned, recipe } = await pruneStructured(model, { sparsity: 0.5 });
    expect(recipe.layers.map((l) => [l.name, l.after])).toEqual([
      ["conv1", 2],
      ["conv2", 3],
      ["fc", 4],
    ]);
    expect(pruned.getLayer("bn2").weights.map((w) => w.shape)).toEqual([[3], [3], [3], [3]]);
    // Flatten maps each kept channel to its 2×2 positions: 4 × 3 inputs for fc.
    expect(pruned.getLayer("fc").weights[0]?.shape).toEqual([12, 4]);
    expect(recipe.params.after).toBeLessThan(recipe.params.before);
    expect(recipe.macs.after).toBeLessThan(recipe.macs.before / 2);
    const x = randomInput([5, 8, 8, 1], 5);
    expect(maxAbsDiff(predictArray(model, x), predictArray(pruned, x))).toBeLessThan(1e-5);
    x.dispose();
    model.dispose();
    pruned.dispose();
  });

  it("prunes the two sides of a residual Add with one mask and slices a Concatenate at offsets (functional)", async () => {
    const model = residualConcatModel();
    randomizeWeights(model, 6);
    const tied = [0, 2, 5, 7];
    zeroLastAxis(model, "a", ["kernel", "bias"], tied);
    zeroLastAxis(model, "b", ["kernel", "bias"], tied);
    zeroLastAxis(model, "c", ["kernel", "bias"], [1, 3]);
    const { model: pruned, recipe } = await pruneStructured(model, { sparsity: 0.5 });
    expect(units(pruned, "a")).toBe(4);
    expect(units(pruned, "b")).toBe(4);
    expect(units(pruned, "c")).toBe(2);
    expect(units(pruned, "out")).toBe(3);
    expect(pruned.getLayer("out").weights[0]?.shape).toEqual([6, 3]);
    const group = recipe.groups.find((g) => g.layers.includes("a"));
    expect(group).toMatchObject({ layers: ["a", "b"], tiedAt: ["sum"], channels: 8, removedChannels: 4, reasons: [] });
    expect(recipe.macs.after).toBeLessThan(recipe.macs.before);
    const x = randomInput([10, 6], 7);
    expect(maxAbsDiff(predictArray(model, x), predictArray(pruned, x))).toBeLessThan(1e-5);
    x.dispose();
    model.dispose();
    pruned.dispose();
  });

  it("leaves a group alone, saying why, when its channels are added to the model input", async () => {
    const input = tf.input({ shape: [8], name: "features" });
    const d = tf.layers.dense({ units: 8, name: "res" }).apply(input) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: "skip" }).apply([input, d]) as tf.SymbolicTensor;
    const h = tf.layers.dense({ units: 6, activation: "relu", name: "hidden" }).apply(sum) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, name: "out" }).apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const { model: pruned, recipe } = await pruneStructured(model, { sparsity: 0.5 });
    expect(units(pruned, "res")).toBe(8);
    expect(units(pruned, "hidden")).toBe(3);
    expect(recipe.leftAlone).toContainEqual({
      layers: ["res"],
      reasons: [expect.stringContaining("model input 'features'")],
    });
    model.dispose();
    pruned.dispose();
  });

  it("follows Conv2D filters through DepthwiseConv2D into SeparableConv2D", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [6, 6, 2],
          filters: 4,
          kernelSize: 3,
          padding: "same",
          activation: "relu",
          name: "conv",
        }),
        tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: "same", name: "dw" }),
        tf.layers.separableConv2d({ filters: 6, kernelSize: 3, depthMultiplier: 1, activation: "relu", name: "sep" }),
        tf.layers.globalAveragePooling2d({ name: "gap" }),
        tf.layers.dense({ units: 2, name: "out" }),
      ],
    });
    randomizeWeights(model, 8);
    zeroLastAxis(model, "conv", ["kernel", "bias"], [1, 3]);
    // dw output channels c*2+j come from conv channel c: zero their biases so they stay 0.
    zeroLastAxis(model, "dw", ["bias"], [2, 3, 6, 7]);
    zeroLastAxis(model, "sep", ["pointwise_kernel", "bias"], [0, 1, 5]);
    const { model: pruned, recipe } = await pruneStructured(model, { sparsity: 0.5 });
    expect(recipe.layers.map((l) => [l.name, l.after])).toEqual([
      ["conv", 2],
      ["sep", 3],
    ]);
    expect(pruned.getLayer("dw").weights.map((w) => w.shape)).toEqual([[3, 3, 2, 2], [4]]);
    expect(pruned.getLayer("sep").weights.map((w) => w.shape)).toEqual([[3, 3, 4, 1], [1, 1, 4, 3], [3]]);
    const x = randomInput([3, 6, 6, 2], 9);
    expect(maxAbsDiff(predictArray(model, x), predictArray(pruned, x))).toBeLessThan(1e-5);
    x.dispose();
    model.dispose();
    pruned.dispose();
  });

  it("honours per-layer overrides (0 leaves a layer alone)", async () => {
    const model = denseSequential();
    randomizeWeights(model, 10);
    const { model: pruned, recipe } = await pruneStructured(model, {
      sparsity: 0.5,
      layers: { hidden1: 0, hidden2: 0.25 },
    });
    expect(units(pruned, "hidden1")).toBe(8);
    expect(units(pruned, "hidden2")).toBe(6);
    expect(recipe.leftAlone).toContainEqual({ layers: ["hidden1"], reasons: ["excluded by options (sparsity 0)"] });
    model.dispose();
    pruned.dispose();
  });

  it("produces a model that saves and loads with plain tfjs and predicts the same", async () => {
    const model = cnnWithBatchNorm();
    randomizeWeights(model, 11);
    const { model: pruned } = await pruneStructured(model, { sparsity: 0.5 });
    const loaded = await saveAndLoad(pruned);
    const x = randomInput([2, 8, 8, 1], 12);
    expect(maxAbsDiff(predictArray(pruned, x), predictArray(loaded, x))).toBe(0);
    expect(loaded.countParams()).toBe(pruned.countParams());
    x.dispose();
    [model, pruned, loaded].forEach((m) => m.dispose());
  });

  it("does not leak tensors", async () => {
    const model = residualConcatModel();
    const before = tf.memory().numTensors;
    const { model: pruned } = await pruneStructured(model, { sparsity: 0.5 });
    pruned.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("refuses bad parameters with a clear MlError", async () => {
    const model = denseSequential();
    const cases: [unknown, RegExp][] = [
      [{ sparsity: 0 }, /sparsity must be a number with 0 < value < 1 \(got 0\)/],
      [{ sparsity: 1 }, /got 1/],
      [{ sparsity: Number.NaN }, /sparsity must be/],
      [{ sparsity: "0.5" }, /got "0.5"/],
      [{ sparsity: 0.5, layers: { nope: 0.5 } }, /no layer 'nope' \(prunable layers: hidden1, hidden2, out\)/],
      [{ sparsity: 0.5, layers: { hidden1: 1.5 } }, /layers\['hidden1'\] must be/],
    ];
    for (const [opts, message] of cases) {
      const err = await pruneStructured(model, opts as never).catch((e: unknown) => e);
      expect(isMlError(err, "BAD_PARAM"), String(err)).toBe(true);
      expect((err as Error).message).toMatch(message);
    }
    model.dispose();
  });
});
