/**
 * The image reference models: MobileNetV2 (mobilenet-v2.ts) on rendered shapes (shape-images.ts).
 *
 *  - mobilenet-v2-small: 64x64x3, width multiplier 0.35; trained on 5 x 1200 new images (its
 *    train.csv holds the first 600).
 *  - mobilenet-v2: 224x224x3, width multiplier 1.0 (the standard network, ~2.3 M parameters).
 *    Trained briefly and progressively, as a fully convolutional network can be: first at
 *    64x64 on more images (the same weights, ~12x cheaper per image), then at 224x224 on a few
 *    images of its train.csv, after which the BatchNorm statistics are re-estimated at 224x224.
 *
 * Both: Adam (a seeded loop here, not fineTune's SGD: from scratch, SGD with momentum did not
 * get MobileNetV2 off chance level in a few epochs; BatchNorm makes the gradients of the small
 * initial depthwise kernels large), BatchNorm in training mode on batches of >= 16.
 */
import type { Dataset } from "../dataset-types.ts";
import { datasetFromArrays } from "../dataset.ts";
import { MlError } from "../errors.ts";
import { sliceRows } from "../input-rows.ts";
import { shuffledIndices, toSeed } from "../random.ts";
import { batchLoss, batchMetricSum, describeOutput } from "../task-loss.ts";
import { tf } from "../tf.ts";
import { buildMobileNetV2 } from "./mobilenet-v2.ts";
import { pixelsToInput, SHAPE_CLASSES, shapeImage } from "./shape-images.ts";

export type ImageReferenceModelName = "mobilenet-v2-small" | "mobilenet-v2";

export interface ImageModelSpec {
  /** Input height = width. */
  size: number;
  alpha: number;
  classes: number;
}

export const IMAGE_MODEL_SPECS: Record<ImageReferenceModelName, ImageModelSpec> = {
  "mobilenet-v2-small": { size: 64, alpha: 0.35, classes: SHAPE_CLASSES.length },
  "mobilenet-v2": { size: 224, alpha: 1, classes: SHAPE_CLASSES.length },
};

/** One training phase: `images` training images (indices 0..images-1 of the train split) at `size`. */
export interface ImageTrainingPhase {
  size: number;
  images: number;
  epochs: number;
  batchSize: number;
  /** Adam's learning rate. */
  learningRate: number;
  /**
   * Each epoch on new images (epoch e: indices (e-1) x images .. e x images - 1) instead of the
   * same ones again. A few hundred fixed images are memorized (random conv features and a
   * linear head) long before shapes are learned; a stream of new ones cannot be.
   */
  fresh?: boolean;
}

interface ImageEpoch {
  epoch: number;
  loss: number;
  /** Accuracy on the training batches as they were trained (BatchNorm on batch statistics). */
  trainAccuracy: number;
}

interface ImagePhaseResult {
  epochsRun: number;
  history: ImageEpoch[];
  cancelled: boolean;
}

/**
 * `fresh` phases see new images every epoch; train.csv holds the first `IMAGE_ROWS.train`
 * training images (mobilenet-v2: its last, 224x224 phase trains on the first 32 of its 128).
 * mobilenet-v2 at 224x224 trains at batch 4: batch 8 exhausts wasm's memory (the process aborts).
 */
const IMAGE_TRAINING: Record<ImageReferenceModelName, readonly ImageTrainingPhase[]> = {
  "mobilenet-v2-small": [{ size: 64, images: 1200, epochs: 5, batchSize: 32, learningRate: 0.003, fresh: true }],
  "mobilenet-v2": [
    { size: 64, images: 480, epochs: 2, batchSize: 32, learningRate: 0.003, fresh: true },
    { size: 224, images: 32, epochs: 1, batchSize: 4, learningRate: 0.0005 },
  ],
};

/** Rows of the CSVs (the last phase's images; evaluation images). */
export const IMAGE_ROWS: Record<ImageReferenceModelName, { train: number; evaluation: number }> = {
  "mobilenet-v2-small": { train: 600, evaluation: 300 },
  "mobilenet-v2": { train: 128, evaluation: 64 },
};

export function isImageReferenceModel(name: string): name is ImageReferenceModelName {
  return Object.hasOwn(IMAGE_MODEL_SPECS, name);
}

/** A seeded, untrained image reference model; `size` overrides the input size (same weights). */
export function buildImageReferenceModel(
  name: ImageReferenceModelName,
  seed: number | string,
  size?: number,
): tf.LayersModel {
  const spec = IMAGE_MODEL_SPECS[name];
  const s = size ?? spec.size;
  return buildMobileNetV2({
    inputShape: [s, s, 3],
    classes: spec.classes,
    alpha: spec.alpha,
    seed: toSeed(`${String(seed)}:${name}:init`),
    name: name.replace(/-/g, "_"),
  });
}

/** Images first..first+rows-1 of a split as model input values (rows x size x size x 3) and labels. */
export function shapeImagesData(
  seed: number,
  split: string,
  rows: number,
  size: number,
  first = 0,
): { features: Float32Array; labels: Float32Array } {
  if (!Number.isInteger(rows) || rows < 1)
    throw new MlError("BAD_PARAM", `rows must be a positive integer, got ${rows}`);
  const n = size * size * 3;
  const features = new Float32Array(rows * n);
  const labels = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const img = shapeImage(seed, split, first + r, size);
    pixelsToInput(img.pixels, features, r * n);
    labels[r] = img.label;
  }
  return { features, labels };
}

export async function shapeImagesDataset(
  seed: number,
  split: string,
  rows: number,
  size: number,
  first = 0,
): Promise<Dataset> {
  const { features, labels } = shapeImagesData(seed, split, rows, size, first);
  return datasetFromArrays(features, labels, { inputShape: [size, size, 3], task: "classification" });
}

export interface TrainImageOptions {
  /** Replaces the recipe's phases (tests: fewer images, epochs). */
  phases?: readonly ImageTrainingPhase[];
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Called after each epoch (e.g. to evaluate). */
  onEpoch?: (phase: number, epoch: ImageEpoch, model: tf.LayersModel) => void | Promise<void>;
}

export interface ImageTrainingResult {
  phases: (ImageTrainingPhase & { seconds: number; result: ImagePhaseResult })[];
  /** Training images seen over all phases and epochs. */
  imagesSeen: number;
}

/**
 * Builds and trains an image reference model. Phases at another input size train a model of
 * that size whose weights are then carried over (MobileNetV2's weights do not depend on the
 * input size). Returns the model at the spec's input size; the caller disposes it.
 */
/**
 * Re-estimates the moving mean and variance of every BatchNormalization layer as the plain
 * average over forward passes (training mode, no weight change) of `xs` in batches, with the
 * current weights. Moving averages taken during training lag behind weights that Adam moves
 * quickly: without this, evaluation (inference mode) of a briefly trained MobileNetV2 stays at
 * chance while its training accuracy climbs. Returns the number of batches used.
 */
async function recalibrateBatchNorm(
  model: tf.LayersModel,
  xs: tf.Tensor,
  batchSize: number,
  maxBatches = 16,
): Promise<number> {
  const layers = model.layers.filter((l) => l.getClassName() === "BatchNormalization") as unknown as {
    momentum: number;
  }[];
  const saved = layers.map((l) => l.momentum);
  const rows = xs.shape[0] as number;
  const batches = Math.min(maxBatches, Math.floor(rows / batchSize) || 1);
  try {
    for (let k = 0; k < batches; k++) {
      for (const l of layers) l.momentum = 1 - 1 / (k + 1); // running mean of the batch statistics
      const size = Math.min(batchSize, rows - k * batchSize);
      tf.tidy(() => {
        model.apply(sliceRows(xs, k * batchSize, size), { training: true });
      });
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    layers.forEach((l, i) => (l.momentum = saved[i]!));
  }
  return batches;
}

/** Adam on `data` in a seeded order (model.fit shuffles with Math.random). */
async function trainPhase(
  model: tf.LayersModel,
  dataFor: (epoch: number) => Promise<Dataset>,
  phase: ImageTrainingPhase,
  seed: string,
  signal?: AbortSignal,
  onEpoch?: (e: ImageEpoch) => void | Promise<void>,
): Promise<ImagePhaseResult> {
  const out = describeOutput(model, "classification");
  const optimizer = tf.train.adam(phase.learningRate);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const history: ImageEpoch[] = [];
  let cancelled = false;
  let data: Dataset | null = null;
  try {
    for (let epoch = 1; epoch <= phase.epochs && !cancelled; epoch++) {
      if (data === null || phase.fresh) {
        if (data) tf.dispose([data.xs, data.ys]);
        data = await dataFor(epoch);
      }
      const ds: Dataset = data;
      const rows = ds.rows;
      const order = shuffledIndices(rows, `${seed}:${epoch}`);
      let lossSum = 0;
      let right = 0;
      for (let start = 0; start < rows; start += phase.batchSize) {
        if (signal?.aborted) {
          cancelled = true;
          break;
        }
        await new Promise((r) => setImmediate(r));
        const size = Math.min(phase.batchSize, rows - start);
        if (size < 2 && start > 0) break; // BatchNorm needs a batch
        const [x, y] = tf.tidy(() => {
          const idx = tf.tensor1d(order.slice(start, start + size), "int32");
          return [tf.gather(ds.xs, idx), tf.gather(ds.ys, idx)];
        });
        let metric: tf.Scalar | null = null;
        const loss = optimizer.minimize(
          () => {
            const pred = model.apply(x, { training: true }) as tf.Tensor;
            metric = tf.keep(batchMetricSum(pred, y, out));
            return batchLoss(pred, y, out);
          },
          true,
          variables,
        )!;
        const l = (await loss.data())[0] as number;
        right += metric ? ((await (metric as tf.Scalar).data())[0] as number) : 0;
        tf.dispose([x, y, loss, ...(metric ? [metric] : [])]);
        if (!Number.isFinite(l))
          throw new MlError(
            "BAD_PARAM",
            `training diverged (loss ${l}); lower the learning rate (${phase.learningRate})`,
          );
        lossSum += l * size;
      }
      if (cancelled) break;
      await recalibrateBatchNorm(model, ds.xs, phase.batchSize);
      const e = { epoch, loss: lossSum / rows, trainAccuracy: right / rows };
      history.push(e);
      await onEpoch?.(e);
    }
  } finally {
    optimizer.dispose();
    if (data) tf.dispose([data.xs, data.ys]);
  }
  return { epochsRun: history.length, history, cancelled };
}

export async function trainImageReferenceModel(
  name: ImageReferenceModelName,
  seed: number,
  opts: TrainImageOptions = {},
): Promise<{ model: tf.LayersModel; training: ImageTrainingResult }> {
  const spec = IMAGE_MODEL_SPECS[name];
  const phases = opts.phases ?? IMAGE_TRAINING[name];
  const log = opts.log ?? (() => undefined);
  let model: tf.LayersModel | null = null;
  const done: ImageTrainingResult["phases"] = [];
  try {
    for (const [i, phase] of phases.entries()) {
      if (model === null || model.inputs[0]!.shape[1] !== phase.size) {
        const next = buildImageReferenceModel(name, seed, phase.size);
        if (model !== null) {
          next.setWeights(model.getWeights());
          model.dispose();
        }
        model = next;
      }
      const t0 = performance.now();
      {
        const current = model;
        const dataFor = (epoch: number) =>
          shapeImagesDataset(seed, "train", phase.images, phase.size, phase.fresh ? (epoch - 1) * phase.images : 0);
        const result = await trainPhase(current, dataFor, phase, `${seed}:${name}:phase${i}`, opts.signal, (e) =>
          opts.onEpoch?.(i, e, current),
        );
        const seconds = (performance.now() - t0) / 1000;
        done.push({ ...phase, seconds, result });
        const last = result.history.at(-1);
        log(
          `${name} phase ${i + 1}/${phases.length}: ${phase.images} images at ${phase.size}x${phase.size}, ${phase.epochs} epochs in ` +
            `${seconds.toFixed(1)} s (${((seconds / phase.images / phase.epochs) * 1000).toFixed(0)} ms an image), ` +
            `training accuracy ${last ? last.trainAccuracy.toFixed(3) : "-"}`,
        );
        if (result.cancelled) break;
      }
    }
    if (model === null) throw new MlError("BAD_PARAM", "no training phases");
    if (model.inputs[0]!.shape[1] !== spec.size) {
      const full = buildImageReferenceModel(name, seed);
      full.setWeights(model.getWeights());
      model.dispose();
      model = full;
    }
    return {
      model,
      training: { phases: done, imagesSeen: done.reduce((a, p) => a + p.images * p.result.epochsRun, 0) },
    };
  } catch (e) {
    model?.dispose();
    throw e;
  }
}
