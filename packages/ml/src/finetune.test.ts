import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend.ts";
import { datasetFromArrays, disposeDataset, type Dataset } from "./dataset.ts";
import { evaluateModel } from "./evaluate.ts";
import { fineTune, type FineTuneOptions, type FineTuneProgress } from "./finetune.ts";
import { createRandom } from "./random.ts";
import { tf } from "./tf.ts";

beforeAll(async () => {
  await initBackend();
});

/** Solves (XᵀX) θ = Xᵀy in float64 by Gaussian elimination with partial pivoting. */
function leastSquares(x: number[][], y: number[]): number[] {
  const n = x[0]!.length;
  const a = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  for (let r = 0; r < x.length; r++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) a[i]![j]! += x[r]![i]! * x[r]![j]!;
      a[i]![n]! += x[r]![i]! * y[r]!;
    }
  }
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= n; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return a.map((row, i) => row[n]! / row[i]!);
}

function linearProblem(rows: number, seed: number) {
  const rnd = createRandom(seed);
  const w = Array.from({ length: 10 }, () => rnd.normal());
  const b = 0.5;
  const x: number[][] = [];
  const y: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: 10 }, () => rnd.normal());
    x.push(row);
    y.push(row.reduce((s, v, i) => s + v * w[i]!, b) + rnd.normal(0, 0.05));
  }
  return { x, y };
}

function linearModel(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [10], units: 1, kernelInitializer: "zeros" }));
  return m;
}

/** Gaussian blobs in 8-D, 3 classes. */
async function blobs(rows: number, seed: number, shuffleLabels = false): Promise<Dataset> {
  const rnd = createRandom(seed);
  const centers = Array.from({ length: 3 }, () => Array.from({ length: 8 }, () => rnd.normal(0, 1.5)));
  const feats: number[] = [];
  const labels: number[] = [];
  for (let r = 0; r < rows; r++) {
    const c = r % 3;
    for (let i = 0; i < 8; i++) feats.push(centers[c]![i]! + rnd.normal());
    labels.push(shuffleLabels ? rnd.int(3) : c);
  }
  return datasetFromArrays(feats, labels, { inputShape: [8], task: "classification" });
}

function classifier(seed: number): tf.Sequential {
  const m = tf.sequential();
  m.add(
    tf.layers.dense({
      inputShape: [8],
      units: 16,
      activation: "relu",
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
    }),
  );
  m.add(
    tf.layers.dense({
      units: 3,
      activation: "softmax",
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
    }),
  );
  return m;
}

const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

describe("fineTune", () => {
  it("the seed problem: SGD on a 10 -> 1 linear model reaches the least-squares optimum", async () => {
    const { x, y } = linearProblem(400, 42);
    const ls = leastSquares(
      x.map((r) => [...r, 1]),
      y,
    );
    const ds = await datasetFromArrays(x.flat(), y, { inputShape: [10], task: "regression" });
    const m = linearModel();
    const before = tf.memory().numTensors;
    const r = await fineTune(m, ds, {
      task: "regression",
      learningRate: 0.02,
      momentum: 0.9,
      epochs: 10,
      batchSize: 32,
      seed: 1,
    });
    // mini-batch SGD gets close; full-batch steps then converge to the exact optimum
    const r2 = await fineTune(m, ds, { task: "regression", learningRate: 0.3, epochs: 100, batchSize: 400, seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    const [kernel, bias] = m.getWeights().map((t) => Array.from(t.dataSync()));
    const err = Math.max(...kernel!.map((v, i) => Math.abs(v - ls[i]!)), Math.abs(bias![0]! - ls[10]!));
    expect(err).toBeLessThan(1e-4);
    // loss at the optimum is the residual variance of the noise (std 0.05)
    const residual =
      y.reduce((s, v, r) => s + (v - x[r]!.reduce((a, xi, i) => a + xi * ls[i]!, ls[10]!)) ** 2, 0) / y.length;
    expect(r2.finalLoss).toBeCloseTo(residual, 5);
    expect(r.history[0]!.loss).toBeGreaterThan(1);
    m.dispose();
    disposeDataset(ds);
  }, 60_000);

  it("mini-batch SGD with momentum lands near the optimum too", async () => {
    const { x, y } = linearProblem(512, 7);
    const ls = leastSquares(
      x.map((r) => [...r, 1]),
      y,
    );
    const ds = await datasetFromArrays(x.flat(), y, { inputShape: [10], task: "regression" });
    const m = linearModel();
    await fineTune(m, ds, {
      task: "regression",
      learningRate: 0.02,
      momentum: 0.5,
      epochs: 30,
      batchSize: 32,
      seed: 3,
    });
    const [kernel, bias] = m.getWeights().map((t) => Array.from(t.dataSync()));
    const err = Math.max(...kernel!.map((v, i) => Math.abs(v - ls[i]!)), Math.abs(bias![0]! - ls[10]!));
    expect(err).toBeLessThan(5e-3);
    m.dispose();
    disposeDataset(ds);
  }, 60_000);

  it("lowers the loss of a classifier, reports progress and is reproducible with a seed", async () => {
    const ds = await blobs(300, 1);
    const runOnce = async () => {
      const m = classifier(5);
      const before = await evaluateModel(m, ds, { task: "classification" });
      const progress: FineTuneProgress[] = [];
      const r = await fineTune(m, ds, {
        task: "classification",
        learningRate: 0.05,
        momentum: 0.9,
        epochs: 4,
        batchSize: 32,
        seed: 11,
        onProgress: (p) => progress.push(p),
      });
      const after = await evaluateModel(m, ds, { task: "classification" });
      const w = weightsOf(m);
      m.dispose();
      return { before, after, r, progress, w };
    };
    const a = await runOnce();
    expect(a.after.loss).toBeLessThan(a.before.loss * 0.5);
    expect(a.after.value).toBeGreaterThan(0.9);
    expect(a.r.epochsRun).toBe(4);
    expect(a.r.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
    expect(a.r.history[3]!.loss).toBeLessThan(a.r.history[0]!.loss);
    expect(a.r.cancelled).toBe(false);
    expect(a.r.stoppedEarly).toBe(false);
    expect(a.progress).toHaveLength(4 * 10);
    expect(a.progress[0]).toMatchObject({ epoch: 1, epochs: 4, batch: 1, batches: 10 });
    expect(a.progress.at(-1)!.fraction).toBe(1);
    const b = await runOnce();
    expect(b.w).toEqual(a.w);
    disposeDataset(ds);
  }, 60_000);

  it("preserveSparsity keeps pruned kernel weights exactly zero (Dense and Conv2D)", async () => {
    const m = tf.sequential();
    m.add(
      tf.layers.conv2d({
        inputShape: [6, 6, 1],
        filters: 4,
        kernelSize: 3,
        activation: "relu",
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
    );
    m.add(tf.layers.flatten());
    m.add(
      tf.layers.dense({
        units: 3,
        activation: "softmax",
        kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
      }),
    );
    const rnd = createRandom(9);
    // zero every other kernel weight
    for (const layer of [m.layers[0]!, m.layers[2]!]) {
      const [k, b] = layer.getWeights();
      const vals = Float32Array.from(k!.dataSync(), (v, i) => (i % 2 === 0 ? 0 : v));
      layer.setWeights([tf.tensor(vals, k!.shape), b!]);
    }
    const feats = Array.from({ length: 120 * 36 }, () => rnd.normal());
    const labels = Array.from({ length: 120 }, (_, i) => i % 3);
    const ds = await datasetFromArrays(feats, labels, { inputShape: [6, 6, 1], task: "classification" });
    const zerosAt = () => [m.layers[0]!, m.layers[2]!].map((l) => Array.from(l.getWeights()[0]!.dataSync()));
    const before = zerosAt();
    const count = tf.memory().numTensors;
    await fineTune(m, ds, {
      task: "classification",
      learningRate: 0.1,
      momentum: 0.9,
      epochs: 2,
      batchSize: 16,
      preserveSparsity: true,
    });
    expect(tf.memory().numTensors).toBe(count);
    const after = zerosAt();
    for (let l = 0; l < 2; l++) {
      const b = before[l]!;
      const a = after[l]!;
      let changed = 0;
      for (let i = 0; i < a.length; i++) {
        if (b[i] === 0) expect(Object.is(a[i], 0), `layer ${l} weight ${i}`).toBe(true);
        else if (a[i] !== b[i]) changed++;
      }
      expect(changed).toBeGreaterThan(a.length / 4); // the others did train
    }
    // without the flag, the zeros move
    await fineTune(m, ds, { task: "classification", learningRate: 0.1, epochs: 1, batchSize: 16 });
    expect(zerosAt()[1]!.filter((v, i) => i % 2 === 0 && v !== 0).length).toBeGreaterThan(0);
    m.dispose();
    disposeDataset(ds);
  }, 60_000);

  it("stops between batches when its AbortSignal fires and returns what it has", async () => {
    const ds = await blobs(300, 2);
    const m = classifier(1);
    const ctrl = new AbortController();
    const seen: FineTuneProgress[] = [];
    const count = tf.memory().numTensors;
    const r = await fineTune(m, ds, {
      task: "classification",
      epochs: 5,
      batchSize: 30,
      signal: ctrl.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.epoch === 2 && p.batch === 3) ctrl.abort();
      },
    });
    expect(r.cancelled).toBe(true);
    expect(r.epochsRun).toBe(1);
    expect(r.history).toHaveLength(1);
    expect(seen).toHaveLength(13);
    expect(Number.isFinite(r.finalLoss)).toBe(true);
    expect(tf.memory().numTensors).toBe(count);
    // an already-aborted signal runs nothing
    const r2 = await fineTune(m, ds, { task: "classification", epochs: 2, signal: AbortSignal.abort() });
    expect(r2).toMatchObject({ cancelled: true, epochsRun: 0 });
    expect(Number.isNaN(r2.finalLoss)).toBe(true);
    m.dispose();
    disposeDataset(ds);
  }, 60_000);

  it("stops at its deadline with the weights it has trained so far, after at least one batch", async () => {
    const ds = await blobs(300, 2);
    const m = classifier(3);
    const seen: FineTuneProgress[] = [];
    const opts: FineTuneOptions = {
      task: "classification",
      epochs: 5,
      batchSize: 30,
      deadline: Date.now() + 3_600_000,
      onProgress: (p) => {
        seen.push(p);
        // the deadline passes while epoch 2's third batch trains: no fourth batch starts
        if (p.epoch === 2 && p.batch === 3) opts.deadline = Date.now() - 1;
      },
    };
    const r = await fineTune(m, ds, opts);
    expect(r).toMatchObject({ timeUp: true, cancelled: false, epochsRun: 1, batchesRun: 13 });
    expect(r.history).toHaveLength(1);
    expect(seen).toHaveLength(13);
    expect(Number.isFinite(r.finalLoss)).toBe(true);
    // a deadline already past still trains one batch, so the model changes
    const before = m.getWeights().map((w) => Array.from(w.dataSync()));
    const r2 = await fineTune(m, ds, { task: "classification", epochs: 5, batchSize: 30, deadline: Date.now() - 1 });
    expect(r2).toMatchObject({ timeUp: true, epochsRun: 0, batchesRun: 1 });
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).not.toEqual(before);
    // without a deadline, all the epochs
    const r3 = await fineTune(m, ds, { task: "classification", epochs: 2, batchSize: 30 });
    expect(r3).toMatchObject({ timeUp: false, epochsRun: 2, batchesRun: 20 });
    m.dispose();
    disposeDataset(ds);
  }, 60_000);

  it("stops early when the validation metric stops improving and restores the best weights", async () => {
    const train = await blobs(150, 3);
    const noise = await blobs(90, 4, true); // labels unrelated to the features
    const m = classifier(2);
    const count = tf.memory().numTensors;
    const r = await fineTune(m, train, {
      task: "classification",
      learningRate: 0.05,
      momentum: 0.9,
      epochs: 40,
      batchSize: 16,
      validation: noise,
      patience: 2,
    });
    expect(tf.memory().numTensors).toBe(count);
    expect(r.stoppedEarly).toBe(true);
    expect(r.epochsRun).toBeLessThan(40);
    expect(r.epochsRun).toBe(r.bestEpoch! + 2);
    const best = Math.max(...r.history.map((h) => h.metric));
    expect(r.history[r.bestEpoch! - 1]!.metric).toBe(best);
    const now = await evaluateModel(m, noise, { task: "classification", batchSize: 256 });
    expect(now.value).toBe(best);
    expect(r.history.every((h) => h.validationLoss !== undefined)).toBe(true);
    m.dispose();
    disposeDataset(train);
    disposeDataset(noise);
  }, 60_000);

  it("refuses bad options and datasets that do not fit, saying what is wrong", async () => {
    const ds = await blobs(30, 5);
    const m = classifier(3);
    await expect(fineTune(m, ds, { task: "classification", learningRate: -1 })).rejects.toMatchObject({
      code: "BAD_PARAM",
      message: expect.stringContaining("learningRate"),
    });
    await expect(fineTune(m, ds, { task: "classification", batchSize: 0 })).rejects.toMatchObject({
      code: "BAD_PARAM",
      message: expect.stringContaining("batchSize"),
    });
    await expect(fineTune(m, ds, { task: "classification", momentum: 1 })).rejects.toMatchObject({ code: "BAD_PARAM" });
    await expect(fineTune(m, ds, { task: "classification", patience: 2 })).rejects.toMatchObject({
      message: expect.stringContaining("validation"),
    });
    await expect(fineTune(m, ds, { task: "regression" })).rejects.toMatchObject({ code: "BAD_DATASET" });
    const wide = await datasetFromArrays(new Array(30 * 9).fill(0), new Array(30).fill(0), {
      inputShape: [9],
      task: "classification",
    });
    await expect(fineTune(m, wide, { task: "classification" })).rejects.toMatchObject({
      code: "BAD_DATASET",
      message: expect.stringContaining("rows have shape [9] but the model expects [8]"),
    });
    const manyClasses = await datasetFromArrays(new Array(2 * 8).fill(0), [0, 7], {
      inputShape: [8],
      task: "classification",
    });
    await expect(fineTune(m, manyClasses, { task: "classification" })).rejects.toMatchObject({
      message: expect.stringContaining("labels up to 7"),
    });
    const { x, y } = linearProblem(64, 1);
    const lin = await datasetFromArrays(x.flat(), y, { inputShape: [10], task: "regression" });
    const lm = linearModel();
    const count = tf.memory().numTensors;
    await expect(fineTune(lm, lin, { task: "regression", learningRate: 1e6, epochs: 50 })).rejects.toMatchObject({
      message: expect.stringMatching(/diverged .*lower the learning rate/),
    });
    expect(tf.memory().numTensors).toBe(count);
    lm.dispose();
    disposeDataset(lin);
    m.dispose();
    [ds, wide, manyClasses].forEach(disposeDataset);
  }, 60_000);
});
