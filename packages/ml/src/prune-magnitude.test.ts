import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend.ts";
import { datasetFromArrays, disposeDataset } from "./dataset.ts";
import { isMlError } from "./errors.ts";
import { fineTune } from "./finetune.ts";
import { cnnWithBatchNorm, denseSequential, randomizeWeights } from "./fixtures/small-models.ts";
import { pruneMagnitude, zeroSmallest } from "./prune-magnitude.ts";
import { createRandom } from "./random.ts";
import { tf } from "./tf.ts";

beforeAll(async () => {
  await initBackend();
});

function weightOf(model: tf.LayersModel, name: string): Float32Array {
  const w = model.weights.find((v) => v.originalName === name);
  if (!w) throw new Error(`no weight ${name}`);
  return new Float32Array(w.read().dataSync() as Float32Array);
}

function zeros(a: Float32Array): number {
  return a.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);
}

describe("zeroSmallest", () => {
  it("zeros exactly k entries, smallest |v| first, ties by position", () => {
    const a = new Float32Array([0.5, -0.1, 0.5, 0.5, -2, 0.1]);
    zeroSmallest([a], 4);
    // |-0.1| and |0.1| go first, then the first two of the three 0.5s.
    expect([...a]).toEqual([0, 0, 0, 0.5, -2, 0]);
  });

  it("counts existing zeros among the smallest", () => {
    const a = new Float32Array([0, 0, 3, 1]);
    zeroSmallest([a], 3);
    expect([...a]).toEqual([0, 0, 3, 0]);
  });
});

describe("pruneMagnitude", () => {
  it("reaches the exact per-layer sparsity on kernels only and leaves the input model alone", async () => {
    const model = denseSequential();
    randomizeWeights(model, 21);
    const { model: pruned, recipe } = await pruneMagnitude(model, { sparsity: 0.3, scope: "per-layer" });
    // hidden1 6×8 = 48 → round(14.4) = 14; hidden2 8×8 = 64 → round(19.2) = 19; out 8×3 = 24 → round(7.2) = 7
    expect(recipe.layers).toEqual([
      { name: "hidden1", weights: 48, zeroed: 14, sparsity: 14 / 48 },
      { name: "hidden2", weights: 64, zeroed: 19, sparsity: 19 / 64 },
      { name: "out", weights: 24, zeroed: 7, sparsity: 7 / 24 },
    ]);
    expect(zeros(weightOf(pruned, "hidden1/kernel"))).toBe(14);
    expect(zeros(weightOf(pruned, "hidden2/kernel"))).toBe(19);
    expect(zeros(weightOf(pruned, "hidden1/bias"))).toBe(0);
    expect(zeros(weightOf(model, "hidden1/kernel"))).toBe(0);
    // The kept weights are the largest ones, unchanged.
    const before = weightOf(model, "hidden2/kernel");
    const after = weightOf(pruned, "hidden2/kernel");
    const minKept = Math.min(...[...after].filter((v) => v !== 0).map(Math.abs));
    const maxDropped = Math.max(...[...before].filter((_, i) => after[i] === 0).map(Math.abs));
    expect(maxDropped).toBeLessThanOrEqual(minKept);
    expect([...after].every((v, i) => v === 0 || v === before[i])).toBe(true);
    model.dispose();
    pruned.dispose();
  });

  it("is exact when every weight ties", async () => {
    const model = denseSequential();
    randomizeWeights(model, 22);
    const kernel = model.getLayer("hidden1").weights[0];
    const same = tf.fill([6, 8], 0.25);
    kernel?.write(same);
    same.dispose();
    const { model: pruned } = await pruneMagnitude(model, { sparsity: 0.5 });
    const k = weightOf(pruned, "hidden1/kernel");
    expect(zeros(k)).toBe(24);
    expect([...k.slice(0, 24)].every((v) => v === 0)).toBe(true);
    model.dispose();
    pruned.dispose();
  });

  it("uses one threshold across layers with scope global", async () => {
    const model = denseSequential();
    randomizeWeights(model, 23);
    const small = weightOf(model, "hidden2/kernel").map((v) => v * 0.001);
    const t = tf.tensor(small, [8, 8]);
    model.getLayer("hidden2").weights[0]?.write(t);
    t.dispose();
    const { model: pruned, recipe } = await pruneMagnitude(model, { sparsity: 0.4, scope: "global" });
    // 136 kernel weights → round(54.4) = 54 zeros in total; hidden2's tiny weights go first.
    expect(recipe.total).toEqual({ weights: 136, zeroed: 54, sparsity: 54 / 136 });
    expect(recipe.layers.find((l) => l.name === "hidden2")?.zeroed).toBe(54);
    model.dispose();
    pruned.dispose();
  });

  it("applies per-layer overrides on their own and never touches BatchNorm", async () => {
    const model = cnnWithBatchNorm();
    randomizeWeights(model, 24);
    const { model: pruned, recipe } = await pruneMagnitude(model, { sparsity: 0.8, layers: { out: 0, conv1: 0.5 } });
    const byName = Object.fromEntries(recipe.layers.map((l) => [l.name, l]));
    expect(byName["out"]?.zeroed).toBe(0);
    expect(byName["conv1"]?.zeroed).toBe(18); // 3×3×1×4 = 36 → 18
    expect(byName["conv2"]?.zeroed).toBe(Math.round(0.8 * 216)); // 3×3×4×6
    for (const name of ["bn1/gamma", "bn1/beta", "bn2/moving_mean", "bn2/moving_variance"]) {
      expect(weightOf(pruned, name)).toEqual(weightOf(model, name));
    }
    model.dispose();
    pruned.dispose();
  });

  it("keeps the exact sparsity through fine-tuning with preserveSparsity", async () => {
    const model = denseSequential();
    randomizeWeights(model, 25);
    const { model: pruned, recipe } = await pruneMagnitude(model, { sparsity: 0.8, scope: "global" });
    const rnd = createRandom(26);
    const xs = new Float32Array(256 * 6).map(() => rnd.normal());
    const labels = Array.from({ length: 256 }, (_, r) => (xs[r * 6]! > 0 ? (xs[r * 6 + 1]! > 0 ? 2 : 1) : 0));
    const data = await datasetFromArrays(xs, labels, { inputShape: [6], task: "classification" });
    const before = weightOf(pruned, "hidden2/kernel");
    await fineTune(pruned, data, {
      task: "classification",
      epochs: 2,
      batchSize: 32,
      learningRate: 0.1,
      momentum: 0.9,
      preserveSparsity: true,
    });
    const after = weightOf(pruned, "hidden2/kernel");
    // Training moved the surviving weights, and not one pruned weight came back.
    expect(after.some((v, i) => v !== before[i])).toBe(true);
    for (const layer of recipe.layers) {
      expect(zeros(weightOf(pruned, `${layer.name}/kernel`)), layer.name).toBe(layer.zeroed);
    }
    expect(after.every((v, i) => before[i] !== 0 || v === 0)).toBe(true);
    disposeDataset(data);
    model.dispose();
    pruned.dispose();
  });

  it("refuses bad parameters with a clear MlError", async () => {
    const model = denseSequential();
    const cases: [unknown, RegExp][] = [
      [{ sparsity: 0 }, /sparsity must be a number with 0 < value < 1 \(got 0\)/],
      [{ sparsity: 1.2 }, /got 1.2/],
      [{ sparsity: 0.5, scope: "model" }, /scope must be 'global' or 'per-layer' \(got "model"\)/],
      [
        { sparsity: 0.5, layers: { nope: 0.1 } },
        /the model has no layer 'nope' \(layers with kernels: hidden1, hidden2, out\)/,
      ],
      [{ sparsity: 0.5, layers: { out: -0.1 } }, /layers\['out'\] must be a number with 0 ≤ value < 1/],
    ];
    const before = tf.memory().numTensors;
    for (const [opts, message] of cases) {
      const err = await pruneMagnitude(model, opts as never).catch((e: unknown) => e);
      expect(isMlError(err, "BAD_PARAM"), String(err)).toBe(true);
      expect((err as Error).message).toMatch(message);
    }
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
