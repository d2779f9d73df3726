import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeImageTensorsHeader } from "@costgate/formats";
import { agreementWith } from "./agreement.ts";
import { initBackend } from "./backend.ts";
import { datasetFromArrays, disposeDataset } from "./dataset.ts";
import { distill } from "./distill.ts";
import { evaluateModel } from "./evaluate.ts";
import { fineTune } from "./finetune.ts";
import { loadImageDataset, loadImageInputs } from "./image-dataset.ts";
import { tf } from "./tf.ts";

let dir: string;
let file: string;
/** 6 images of 2x2x3: image i has every byte = 40 * i + channel; label i % 2. */
const ROWS = 6;
const pixels = (i: number) => Array.from({ length: 12 }, (_, k) => 40 * i + (k % 3));

beforeAll(async () => {
  await initBackend();
  dir = await mkdtemp(join(tmpdir(), "costgate-image-dataset-"));
  file = join(dir, "images.bin");
  const header = encodeImageTensorsHeader({ rows: ROWS, height: 2, width: 2, channels: 3, labelled: true });
  const body = Buffer.from(Array.from({ length: ROWS }, (_, i) => pixels(i)).flat());
  const labels = Buffer.from(Int32Array.from({ length: ROWS }, (_, i) => i % 2).buffer);
  await writeFile(file, Buffer.concat([header, body, labels]));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("image datasets", () => {
  it("reads rows on demand, preprocessed per batch, with their class indices", async () => {
    const ds = await loadImageDataset(file, {
      inputShape: [2, 2, 3],
      preprocessing: { scale: "RAW", mean: [10, 0, 0], std: [2, 1, 1] },
    });
    try {
      expect(ds.xs.shape).toEqual([6, 2, 2, 3]);
      expect(Array.from(ds.ys.dataSync())).toEqual([0, 1, 0, 1, 0, 1]);
      expect(ds.numClasses).toBe(2);
      const batch = ds.xs.take([3, 1]);
      expect(batch.shape).toEqual([2, 2, 2, 3]);
      const expected = [3, 1].flatMap((i) => pixels(i).map((v, k) => (k % 3 === 0 ? (v - 10) / 2 : v)));
      expect(Array.from(batch.dataSync())).toEqual(expected);
      batch.dispose();
    } finally {
      disposeDataset(ds);
    }
    const zeroOne = await loadImageInputs(file, { inputShape: [2, 2, 3] });
    const row = zeroOne.xs.take([5]);
    expect(row.dataSync()[1]).toBeCloseTo(201 / 255, 6);
    row.dispose();
    disposeDataset(zeroOne);
    expect(zeroOne.xs.isDisposed).toBe(true);
  });

  it("refuses a file decoded at another size than the model takes, and preprocessing of the wrong length", async () => {
    await expect(loadImageDataset(file, { inputShape: [4, 4, 3] })).rejects.toThrow(
      "the image dataset was decoded at [2, 2, 3] but the model takes [4, 4, 3]: register the dataset again for this model",
    );
    await expect(loadImageInputs(file, { inputShape: [2, 2, 3], preprocessing: { std: [1] } })).rejects.toThrow(
      /std has 1 value, but the model's images have 3 channels/,
    );
  });

  it("evaluates, fine-tunes, distills and measures agreement batch by batch as a tensor dataset would", async () => {
    const model = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [2, 2, 3] }), tf.layers.dense({ units: 2, activation: "softmax" })],
    });
    const images = await loadImageDataset(file, { inputShape: [2, 2, 3] });
    const features = Array.from({ length: ROWS }, (_, i) => pixels(i).map((v) => v / 255)).flat();
    const tensors = await datasetFromArrays(features, [0, 1, 0, 1, 0, 1], {
      inputShape: [2, 2, 3],
      task: "classification",
    });
    try {
      const a = await evaluateModel(model, images, { task: "classification", batchSize: 4 });
      const b = await evaluateModel(model, tensors, { task: "classification", batchSize: 4 });
      expect(a.value).toBe(b.value);
      expect(a.loss).toBeCloseTo(b.loss, 5);
      const before = model.getWeights().map((w) => w.dataSync().slice());
      const tuned = await fineTune(model, images, {
        task: "classification",
        epochs: 2,
        batchSize: 4,
        learningRate: 0.5,
      });
      expect(tuned.epochsRun).toBe(2);
      expect(model.getWeights()[0]!.dataSync()).not.toEqual(before[0]);
      const student = tf.sequential({
        layers: [tf.layers.flatten({ inputShape: [2, 2, 3] }), tf.layers.dense({ units: 2, activation: "softmax" })],
      });
      const inputs = await loadImageInputs(file, { inputShape: [2, 2, 3] });
      const d = await distill(student, model, inputs, {
        task: "classification",
        epochs: 1,
        batchSize: 4,
        learningRate: 0.1,
      });
      expect(d.rows).toBe(ROWS);
      expect((await agreementWith(model, model, inputs, { task: "classification" })).value).toBe(1);
      disposeDataset(inputs);
      student.dispose();
    } finally {
      disposeDataset(images);
      disposeDataset(tensors);
      model.dispose();
    }
  });
});
