import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend.ts";
import { disposeDataset, loadCsvDataset } from "../dataset.ts";
import { evaluateModel } from "../evaluate.ts";
import { fineTune } from "../finetune.ts";
import { inspectModel } from "../inspect.ts";
import { measureCost } from "../measure-cost.ts";
import { loadModel, saveModel, writeModelArtifacts } from "../model-io.ts";
import { pruneStructured } from "../prune-structured.ts";
import { modelToArtifacts, quantizeArtifacts } from "../quantize.ts";
import { tf } from "../tf.ts";
import { generateReferenceModels } from "./generate.ts";
import { writeImageCsv } from "./image-csv.ts";
import {
  IMAGE_MODEL_SPECS,
  shapeImagesData,
  shapeImagesDataset,
  trainImageReferenceModel,
  type ImageTrainingPhase,
} from "./image-models.ts";
import { mobileNetV2LayerCounts } from "./mobilenet-v2.ts";
import { buildReferenceModel, IMAGE_REFERENCE_MODELS, referencePaths } from "./reference-models.ts";
import { PIXEL_TEXT, PIXEL_VALUES, SHAPE_CLASSES, shapeImage } from "./shape-images.ts";

let root: string;
beforeAll(async () => {
  await initBackend();
  root = await mkdtemp(join(tmpdir(), "costgate-mobilenet-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function layerCounts(model: tf.LayersModel): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const l of model.layers) counts[l.getClassName()] = (counts[l.getClassName()] ?? 0) + 1;
  return counts;
}

function predict(model: tf.LayersModel, x: tf.Tensor): Float32Array {
  return tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array).slice();
}

describe("shape images", () => {
  it("are deterministic RGB scenes with balanced labels; splits and seeds differ", () => {
    const a = shapeImage(1, "train", 3, 32);
    expect(a.pixels).toHaveLength(32 * 32 * 3);
    expect(Array.from(shapeImage(1, "train", 3, 32).pixels)).toEqual(Array.from(a.pixels));
    expect(Array.from(shapeImage(2, "train", 3, 32).pixels)).not.toEqual(Array.from(a.pixels));
    expect(Array.from(shapeImage(1, "evaluation", 3, 32).pixels)).not.toEqual(Array.from(a.pixels));
    const k = SHAPE_CLASSES.length;
    const labels = Array.from({ length: 3 * k }, (_, i) => shapeImage(1, "train", i, 16).label);
    for (let b = 0; b < 3; b++)
      expect([...labels.slice(b * k, (b + 1) * k)].sort()).toEqual(SHAPE_CLASSES.map((_, i) => i));
    // colour images: the channels differ, and the pixels use most of the range
    const px = a.pixels;
    let diff = 0;
    for (let i = 0; i < px.length; i += 3) diff += Math.abs(px[i]! - px[i + 1]!) + Math.abs(px[i + 1]! - px[i + 2]!);
    expect(diff / (px.length / 3)).toBeGreaterThan(10);
  });

  it("pixel values are exactly what the CSV text reads back as", () => {
    for (let v = 0; v < 256; v++) expect(Math.fround(Number(PIXEL_TEXT[v]))).toBe(PIXEL_VALUES[v]);
    expect(PIXEL_TEXT[0]).toBe("0");
    expect(PIXEL_TEXT[255]).toBe("1");
  });

  it("writes a CSV row by row that loads back to the same tensors", async () => {
    const path = join(root, "images.csv");
    const size = 16;
    const n = size * size * 3;
    const written = await writeImageCsv(path, 7, n, (i) => shapeImage(5, "train", i, size));
    expect(written.bytes).toBe((await stat(path)).size);
    const text = await readFile(path, "utf8");
    expect(text.split("\n")[0]).toBe([...Array.from({ length: n }, (_, i) => `x${i}`), "label"].join(","));
    const ds = await loadCsvDataset(path, { inputShape: [size, size, 3], task: "classification" });
    const direct = shapeImagesData(5, "train", 7, size);
    expect(Array.from(ds.xs.dataSync())).toEqual(Array.from(direct.features));
    expect(Array.from(ds.ys.dataSync())).toEqual(Array.from(direct.labels));
    disposeDataset(ds);
    await expect(writeImageCsv(path, 1, n + 1, (i) => shapeImage(5, "train", i, size))).rejects.toThrow(
      /feature columns/,
    );
  });
});

describe("MobileNetV2 reference models", () => {
  it("mobilenet-v2: 224x224x3, >= 2 M parameters, the MobileNetV2 block structure", () => {
    const before = tf.memory().numTensors;
    const m = buildReferenceModel("mobilenet-v2", 1);
    const i = inspectModel(m);
    expect(i.inputShapes).toEqual([[null, 224, 224, 3]]);
    expect(i.outputShapes).toEqual([[null, SHAPE_CLASSES.length]]);
    expect(i.parameterCount).toBeGreaterThanOrEqual(2_000_000);
    expect(i.parameterCount).toBeLessThan(2_400_000); // Keras' MobileNetV2 without its top: 2,257,984
    expect(i.macs).toBeGreaterThan(280e6); // ~300 M multiply-adds, as published for 224x224 alpha 1.0
    expect(i.macs).toBeLessThan(330e6);
    expect(i.unknownLayers).toEqual([]);
    const expected = mobileNetV2LayerCounts();
    expect(expected).toEqual({ depthwise: 17, batchNorm: 52, add: 10, blocks: 17 });
    const counts = layerCounts(m);
    expect(counts["DepthwiseConv2D"]).toBe(17);
    expect(counts["BatchNormalization"]).toBe(52);
    expect(counts["Add"]).toBe(10);
    expect(counts["Conv2D"]).toBe(35); // stem, 16 expand, 17 project, last 1x1
    const relus = m.layers.filter((l) => l.getClassName() === "ReLU");
    expect(relus).toHaveLength(35);
    for (const r of relus) expect((r.getConfig() as { maxValue?: number }).maxValue).toBe(6);
    expect(m.getLayer("Conv_1").outputShape).toEqual([null, 7, 7, 1280]);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("mobilenet-v2-small: same blocks at 64x64x3, alpha 0.35; same seed, same initial weights", () => {
    const a = buildReferenceModel("mobilenet-v2-small", 3);
    const b = buildReferenceModel("mobilenet-v2-small", 3);
    const c = buildReferenceModel("mobilenet-v2-small", 4);
    expect(a.inputs[0]!.shape).toEqual([null, 64, 64, 3]);
    const full = buildReferenceModel("mobilenet-v2", 3);
    expect(layerCounts(a)).toEqual(layerCounts(full));
    full.dispose();
    const w = (m: tf.LayersModel) => m.getWeights().map((t) => Array.from(t.dataSync()));
    expect(w(a)).toEqual(w(b));
    expect(w(a)[0]).not.toEqual(w(c)[0]);
    expect(IMAGE_REFERENCE_MODELS.map((d) => d.inputShape)).toEqual([
      [64, 64, 3],
      [224, 224, 3],
    ]);
    expect(inspectModel(a).parameterCount).toBeLessThan(500_000);
    [a, b, c].forEach((m) => m.dispose());
  });

  it("training is deterministic in the seed", async () => {
    const phases: ImageTrainingPhase[] = [
      { size: 32, images: 12, epochs: 2, batchSize: 6, learningRate: 0.003, fresh: true },
    ];
    const weights = async (seed: number) => {
      const { model, training } = await trainImageReferenceModel("mobilenet-v2-small", seed, { phases });
      expect(training.imagesSeen).toBe(24);
      expect(model.inputs[0]!.shape).toEqual([null, 64, 64, 3]);
      const w = model.getWeights().map((t) => Array.from(t.dataSync()));
      model.dispose();
      return w;
    };
    const a = await weights(3);
    expect(await weights(3)).toEqual(a);
  }, 60_000);

  it("prune 30% -> fine-tune -> quantize uint8 -> save/load -> evaluate -> measure cost, on mobilenet-v2-small", async () => {
    const before = tf.memory().numTensors;
    const phases: ImageTrainingPhase[] = [{ size: 64, images: 48, epochs: 1, batchSize: 16, learningRate: 0.01 }];
    const { model } = await trainImageReferenceModel("mobilenet-v2-small", 7, { phases });
    const train = await shapeImagesDataset(7, "train", 48, 64);
    const evaluation = await shapeImagesDataset(7, "evaluation", 24, 64);
    try {
      const { model: pruned, recipe } = await pruneStructured(model, { sparsity: 0.3 });
      try {
        expect(recipe.params.after).toBeLessThan(recipe.params.before * 0.75);
        expect(recipe.macs.after).toBeLessThan(recipe.macs.before * 0.75);
        // the Add-tied projections are pruned as groups; only the softmax layer is left alone
        const tied = recipe.groups.filter((g) => g.tiedAt.length > 0);
        expect(tied.length).toBeGreaterThanOrEqual(4);
        expect(tied.every((g) => g.removedChannels > 0)).toBe(true);
        expect(layerCounts(pruned)).toEqual(layerCounts(model));
        expect(pruned.getLayer("block_1_expand").getConfig()["filters"]).toBeLessThan(
          model.getLayer("block_1_expand").getConfig()["filters"] as number,
        );

        const ft = await fineTune(pruned, train, {
          task: "classification",
          epochs: 1,
          batchSize: 16,
          learningRate: 0.005,
        });
        expect(ft.epochsRun).toBe(1);
        expect(Number.isFinite(ft.finalLoss)).toBe(true);

        const q = quantizeArtifacts(await modelToArtifacts(pruned), { dtype: "uint8" });
        expect(q.bytesAfter).toBeLessThan(q.bytesBefore * 0.3);
        const dir = join(root, "small-q");
        const saved = await writeModelArtifacts(dir, q.artifacts);
        const loaded = await loadModel(saved.modelJsonPath);
        const floatDir = join(root, "small-f");
        const floatSaved = await saveModel(pruned, floatDir);
        const reloaded = await loadModel(floatSaved.modelJsonPath);
        try {
          const x = tf.slice(evaluation.xs, [0, 0, 0, 0], [4, 64, 64, 3]);
          expect(Array.from(predict(reloaded, x))).toEqual(Array.from(predict(pruned, x)));
          const pq = predict(loaded, x);
          expect(pq.every(Number.isFinite)).toBe(true);
          x.dispose();
          const evF = await evaluateModel(reloaded, evaluation, { task: "classification" });
          const evQ = await evaluateModel(loaded, evaluation, { task: "classification" });
          expect(evF.samples).toBe(24);
          expect(evQ.value).toBeGreaterThanOrEqual(0);
          expect(Number.isFinite(evQ.loss)).toBe(true);
          const cost = await measureCost(loaded, {
            hourlyPriceUsd: "0.0416",
            batchSize: 4,
            minRuns: 6,
            minTimeMs: 0,
            warmupRuns: 2,
            warmupMs: 0,
            rounds: 2,
            modelJsonPath: saved.modelJsonPath,
          });
          expect(cost.latencyMs.p50).toBeGreaterThan(0);
          expect(cost.macs).toBe(inspectModel(pruned).macs);
          expect(cost.fileSizeBytes).toBe(saved.totalBytes);
        } finally {
          loaded.dispose();
          reloaded.dispose();
        }
      } finally {
        pruned.dispose();
      }
    } finally {
      model.dispose();
      disposeDataset(train);
      disposeDataset(evaluation);
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it("trains progressively (a smaller input first, the same weights) and generates files whose evaluation matches the manifest", async () => {
    const dir = join(root, "gen");
    const phases: ImageTrainingPhase[] = [
      { size: 32, images: 24, epochs: 1, batchSize: 12, learningRate: 0.01 },
      { size: 64, images: 24, epochs: 1, batchSize: 12, learningRate: 0.01 },
    ];
    const before = tf.memory().numTensors;
    const manifest = await generateReferenceModels(dir, {
      seed: 11,
      only: ["mobilenet-v2-small"],
      imageRecipe: { "mobilenet-v2-small": { phases, rows: { train: 24, evaluation: 18 } } },
    });
    expect(tf.memory().numTensors).toBe(before);
    const entry = manifest.models[0]!;
    expect(entry.name).toBe("mobilenet-v2-small");
    expect(entry.imageTraining?.phases.map((p) => p.size)).toEqual([32, 64]);
    expect(entry.imageTraining?.imagesSeen).toBe(48);
    expect(entry.parameters).toBe(inspectModel(buildReferenceModel("mobilenet-v2-small")).parameterCount);
    const paths = referencePaths("mobilenet-v2-small", dir);
    expect(entry.csvBytes.train).toBe((await stat(paths.train)).size);
    const model = await loadModel(paths.modelJson);
    const ev = await loadCsvDataset(paths.evaluation, { inputShape: [64, 64, 3], task: "classification" });
    expect(ev.rows).toBe(18);
    const r = await evaluateModel(model, ev, { task: "classification" });
    expect(r.value).toBeCloseTo(entry.value, 6);
    expect(IMAGE_MODEL_SPECS["mobilenet-v2-small"].size).toBe(64);
    model.dispose();
    disposeDataset(ev);
  }, 120_000);
});
