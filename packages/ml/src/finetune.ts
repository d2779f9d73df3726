/**
 * SGD fine-tuning with a hand-written training loop: seeded shuffling, momentum, early stopping
 * on the evaluation metric of a validation set, progress reports, cancellation between batches,
 * and exact preservation of pruned (zero) kernel weights.
 */
import { initBackend } from "./backend.ts";
import type { AnyDataset, Task } from "./dataset-types.ts";
import { MlError } from "./errors.ts";
import { checkBatchSize, evaluateModel } from "./evaluate.ts";
import { gatherInputs, inputRows, sliceRows } from "./input-rows.ts";
import { shuffledIndices } from "./random.ts";
import { batchLoss, batchMetricSum, checkDatasetFits, isBetter } from "./task-loss.ts";
import { tf } from "./tf.ts";
import { createYielder } from "./yield-to-host.ts";

export interface FineTuneProgress {
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** 1-based batch just finished within the epoch. */
  batch: number;
  batches: number;
  /** Loss of that batch. */
  loss: number;
  /** Share of all planned batches done, in (0, 1]. */
  fraction: number;
}

export interface FineTuneOptions {
  task: Task;
  learningRate?: number;
  /** 0 (default) is plain SGD; > 0 uses SGD with momentum. */
  momentum?: number;
  epochs?: number;
  batchSize?: number;
  /** Seed of the per-epoch shuffling (default 0). */
  seed?: number;
  /** Shuffle rows each epoch (default true). */
  shuffle?: boolean;
  /** Evaluated after each epoch; its metric drives early stopping. */
  validation?: AnyDataset;
  /** Stop after this many epochs without improvement of the validation metric (needs `validation`). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** When stopping early, put back all weights (BatchNorm statistics too) of the best epoch (default true). */
  restoreBestWeights?: boolean;
  /** Kernel weights of Dense/Conv layers that are exactly 0 before training stay exactly 0. */
  preserveSparsity?: boolean;
  onProgress?: (p: FineTuneProgress) => void;
  /** Checked between batches; on abort, training stops and the result says `cancelled: true`. */
  signal?: AbortSignal;
  /**
   * A time (ms since the epoch, as Date.now()) after which no further batch starts: training
   * stops with the weights it has and the result says `timeUp: true` (at least one batch runs).
   * What a time-budgeted search gives a recovery so that it ends in time.
   */
  deadline?: number;
}

/** Whether a training loop with a deadline must stop before its next batch (one batch always runs). */
export function pastDeadline(deadline: number | undefined, batchesRun: number): boolean {
  return deadline !== undefined && batchesRun > 0 && Date.now() >= deadline;
}

interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's batches. */
  loss: number;
  /** The evaluation metric: on `validation` when given, else on the training batches. */
  metric: number;
  /** Accuracy or mse measured on the training batches as they were trained. */
  trainMetric: number;
  /** Validation loss, when a validation set is given. */
  validationLoss?: number;
}

export interface FineTuneResult {
  /** Epochs completed (a cancelled partial epoch is not counted). */
  epochsRun: number;
  history: EpochRecord[];
  /** Mean loss of the last epoch run (partial when cancelled); NaN if no batch ran. */
  finalLoss: number;
  cancelled: boolean;
  stoppedEarly: boolean;
  /** Training stopped at `deadline`, in the middle of an epoch (epochsRun counts the complete ones). */
  timeUp: boolean;
  /** Batches trained in all (the partial epoch's too). */
  batchesRun: number;
  /** Epoch whose weights the model holds after early stopping with restoreBestWeights. */
  bestEpoch?: number;
}

const MASKED_LAYERS = new Set([
  "Dense",
  "Conv1D",
  "Conv2D",
  "Conv2DTranspose",
  "Conv3D",
  "DepthwiseConv2D",
  "SeparableConv2D",
]);
const KERNEL_SUFFIXES = ["kernel", "depthwise_kernel", "pointwise_kernel"];

function allLayers(model: tf.LayersModel): tf.layers.Layer[] {
  const out: tf.layers.Layer[] = [];
  const walk = (layers: tf.layers.Layer[]) => {
    for (const l of layers) {
      if (l instanceof tf.LayersModel) walk(l.layers);
      else out.push(l);
    }
  };
  walk(model.layers);
  return out;
}

interface SparsityMask {
  variable: tf.LayerVariable;
  keep: tf.Tensor; // bool: true where the weight is non-zero
}

/** Masks for trainable Dense/Conv kernels that contain exact zeros. */
export function sparsityMasks(model: tf.LayersModel): SparsityMask[] {
  const masks: SparsityMask[] = [];
  for (const layer of allLayers(model)) {
    if (!MASKED_LAYERS.has(layer.getClassName())) continue;
    for (const w of layer.trainableWeights) {
      const suffix = w.originalName.slice(w.originalName.lastIndexOf("/") + 1);
      if (!KERNEL_SUFFIXES.includes(suffix)) continue;
      const keep = tf.tidy(() => tf.notEqual(w.read(), 0));
      const zeros = tf.tidy(() => tf.sum(tf.cast(tf.logicalNot(keep), "int32")).dataSync()[0] as number);
      if (zeros > 0) masks.push({ variable: w, keep });
      else keep.dispose();
    }
  }
  return masks;
}

function applyMasks(masks: SparsityMask[]): void {
  for (const { variable, keep } of masks) {
    const masked = tf.tidy(() => {
      const v = variable.read();
      return tf.where(keep, v, tf.zerosLike(v));
    });
    variable.write(masked);
    masked.dispose();
  }
}

function positive(name: string, v: number | undefined, fallback: number, integer = false, allowZero = false): number {
  const x = v ?? fallback;
  const ok = Number.isFinite(x) && (allowZero ? x >= 0 : x > 0) && (!integer || Number.isInteger(x));
  if (!ok) {
    throw new MlError(
      "BAD_PARAM",
      `${name} must be a ${integer ? "whole " : ""}number ${allowZero ? ">= 0" : "> 0"}, got ${String(v)}`,
    );
  }
  return x;
}

/** Fine-tunes `model` in place with SGD. */
export async function fineTune(
  model: tf.LayersModel,
  dataset: AnyDataset,
  opts: FineTuneOptions,
): Promise<FineTuneResult> {
  await initBackend();
  const { task } = opts;
  if (task !== "classification" && task !== "regression") {
    throw new MlError("BAD_PARAM", `task must be "classification" or "regression", got ${JSON.stringify(task)}`);
  }
  const learningRate = positive("learningRate", opts.learningRate, 0.01);
  const momentum = positive("momentum", opts.momentum, 0, false, true);
  if (momentum >= 1) throw new MlError("BAD_PARAM", `momentum must be below 1, got ${momentum}`);
  const epochs = positive("epochs", opts.epochs, 5, true);
  const batchSize = checkBatchSize(opts.batchSize ?? 32);
  const minDelta = positive("minDelta", opts.minDelta, 0, false, true);
  const seed = opts.seed ?? 0;
  if (opts.patience !== undefined) {
    positive("patience", opts.patience, 1, true);
    if (!opts.validation) throw new MlError("BAD_PARAM", "patience (early stopping) needs a validation dataset");
  }
  const out = checkDatasetFits(model, dataset, task, "training dataset");
  if (opts.validation) checkDatasetFits(model, opts.validation, task, "validation dataset");
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  // trainable and not (BatchNorm moving statistics), for restoring the best epoch
  const allWeights = model.weights;
  if (variables.length === 0) throw new MlError("BAD_PARAM", "the model has no trainable weights");

  const rows = dataset.xs.shape[0] as number;
  const batches = Math.ceil(rows / batchSize);
  const optimizer = momentum > 0 ? tf.train.momentum(learningRate, momentum) : tf.train.sgd(learningRate);
  const masks = opts.preserveSparsity ? sparsityMasks(model) : [];
  const restoreBest = opts.restoreBestWeights ?? true;

  const history: EpochRecord[] = [];
  let cancelled = false;
  let stoppedEarly = false;
  let timeUp = false;
  let batchesRun = 0;
  let finalLoss = Number.NaN;
  let best: { epoch: number; metric: number; weights: tf.Tensor[] } | null = null;
  let sinceBest = 0;
  const yieldToHost = createYielder();

  try {
    for (let epoch = 1; epoch <= epochs && !cancelled && !timeUp; epoch++) {
      const order = opts.shuffle === false ? null : shuffledIndices(rows, `${seed}:${epoch}`);
      let lossSum = 0;
      let metricSum = 0;
      let seen = 0;
      for (let b = 0; b < batches; b++) {
        await yieldToHost(); // lets a cancel request, progress writes and lock renewals through
        if (opts.signal?.aborted) {
          cancelled = true;
          break;
        }
        if (pastDeadline(opts.deadline, batchesRun)) {
          timeUp = true;
          break;
        }
        const start = b * batchSize;
        const size = Math.min(batchSize, rows - start);
        const [x, y] = tf.tidy(() => {
          if (!order) return [inputRows(dataset.xs, start, size), sliceRows(dataset.ys, start, size)];
          const rows = order.slice(start, start + size);
          return [gatherInputs(dataset.xs, rows), tf.gather(dataset.ys, tf.tensor1d(rows, "int32"))];
        });
        let metricT: tf.Scalar | null = null;
        const lossT = optimizer.minimize(
          () => {
            const pred = model.apply(x, { training: true }) as tf.Tensor;
            metricT = tf.keep(batchMetricSum(pred, y, out));
            return batchLoss(pred, y, out);
          },
          true,
          variables,
        );
        if (masks.length > 0) applyMasks(masks);
        const loss = (await lossT!.data())[0] as number;
        const metric = metricT ? ((await (metricT as tf.Scalar).data())[0] as number) : 0;
        tf.dispose([x, y, lossT!, ...(metricT ? [metricT] : [])]);
        if (!Number.isFinite(loss)) {
          throw new MlError(
            "BAD_PARAM",
            `training diverged (loss ${loss} at epoch ${epoch}, batch ${b + 1}); lower the learning rate (now ${learningRate})`,
          );
        }
        lossSum += loss * size;
        metricSum += metric;
        seen += size;
        batchesRun++;
        finalLoss = lossSum / seen;
        opts.onProgress?.({
          epoch,
          epochs,
          batch: b + 1,
          batches,
          loss,
          fraction: ((epoch - 1) * batches + b + 1) / (epochs * batches),
        });
      }
      if (cancelled || timeUp) break;

      const record: EpochRecord = {
        epoch,
        loss: lossSum / seen,
        metric: metricSum / seen,
        trainMetric: metricSum / seen,
      };
      if (opts.validation) {
        const v = await evaluateModel(model, opts.validation, { task, batchSize: Math.max(batchSize, 256) });
        record.metric = v.value;
        record.validationLoss = v.loss;
      }
      history.push(record);

      if (opts.patience !== undefined) {
        if (best === null || isBetter(task, record.metric, best.metric, minDelta)) {
          if (best) tf.dispose(best.weights);
          best = {
            epoch,
            metric: record.metric,
            weights: restoreBest ? allWeights.map((w) => tf.clone(w.read())) : [],
          };
          sinceBest = 0;
        } else if (++sinceBest >= opts.patience) {
          stoppedEarly = true;
          break;
        }
      }
    }
    if (stoppedEarly && restoreBest && best) {
      best.weights.forEach((w, i) => allWeights[i]!.write(w));
    }
  } finally {
    if (best) tf.dispose(best.weights);
    tf.dispose(masks.map((m) => m.keep));
    optimizer.dispose();
    // tfjs 4.22: MomentumOptimizer.dispose() forgets the learning-rate scalar of its SGD parent
    const c = (optimizer as unknown as { c?: tf.Tensor }).c;
    if (c && !c.isDisposed) c.dispose();
  }

  return {
    epochsRun: history.length,
    history,
    finalLoss,
    cancelled,
    stoppedEarly,
    timeUp,
    batchesRun,
    ...(stoppedEarly && restoreBest && best ? { bestEpoch: best.epoch } : {}),
  };
}
