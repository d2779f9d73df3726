/**
 * Knowledge distillation: trains a student model (e.g. a pruned copy) with SGD to reproduce a
 * teacher's outputs on inputs only, no labels used.
 *
 * classification: the loss is KL(softmax(teacher / T) || softmax(student / T)) x T², the usual
 *   Hinton et al. scaling that keeps gradient sizes comparable across temperatures. Models that
 *   end in softmax output probabilities: their log is taken as logits (log p differs from the
 *   logits by a per-row constant, which softmax ignores). One sigmoid / logit unit is read as
 *   two classes [1 - p, p].
 * regression: the loss is the mean squared difference to the teacher's outputs (temperature
 *   has no meaning there and is ignored).
 *
 * Progress per batch, cancellation between batches, the compute gate through the yielder, and
 * kernel weights that are exactly 0 stay 0 (like fineTune's preserveSparsity).
 */
import { initBackend } from "./backend.ts";
import type { AnyInputSet, Task } from "./dataset-types.ts";
import { MlError } from "./errors.ts";
import { checkBatchSize } from "./evaluate.ts";
import { gatherInputs, inputRows } from "./input-rows.ts";
import { pastDeadline, sparsityMasks, type FineTuneProgress } from "./finetune.ts";
import { shuffledIndices } from "./random.ts";
import { describeOutput, type OutputInfo } from "./task-loss.ts";
import { tf } from "./tf.ts";
import { createYielder } from "./yield-to-host.ts";

const EPSILON = 1e-7;

export interface DistillOptions {
  task: Task;
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** Softening temperature of the classification targets, > 0 (default 1). */
  temperature?: number;
  /** Seed of the per-epoch shuffling (default 0). */
  seed?: number;
  onProgress?: (p: FineTuneProgress) => void;
  /** Checked between batches; on abort, training stops and the result says `cancelled: true`. */
  signal?: AbortSignal;
  /** No batch starts after this time (ms since the epoch); the result says `timeUp` (as fineTune's). */
  deadline?: number;
}

export interface DistillResult {
  loss: "kl-divergence x T^2" | "mse-to-teacher";
  temperature: number;
  rows: number;
  epochsRun: number;
  /** Mean loss per completed epoch. */
  history: { epoch: number; loss: number }[];
  /** Mean loss of the last epoch run (partial when cancelled); NaN if no batch ran. */
  finalLoss: number;
  cancelled: boolean;
  /** Training stopped at `deadline`, in the middle of an epoch (epochsRun counts the complete ones). */
  timeUp: boolean;
  /** Batches trained in all (the partial epoch's too). */
  batchesRun: number;
}

/** A classifier's output as [batch, classes >= 2] logits (up to a per-row constant). */
function asLogits(pred: tf.Tensor, out: OutputInfo): tf.Tensor2D {
  return tf.tidy(() => {
    switch (out.kind) {
      case "probabilities":
        return tf.log(tf.clipByValue(pred, EPSILON, 1)) as tf.Tensor2D;
      case "logits":
        return pred as tf.Tensor2D;
      case "sigmoid": {
        const p = tf.clipByValue(tf.reshape(pred, [-1, 1]), EPSILON, 1 - EPSILON);
        return tf.concat([tf.log(tf.sub(1, p)), tf.log(p)], 1) as tf.Tensor2D;
      }
      case "binary-logit": {
        const z = tf.reshape(pred, [-1, 1]);
        return tf.concat([tf.zerosLike(z), z], 1) as tf.Tensor2D;
      }
      case "values":
        throw new MlError("BAD_PARAM", "a regression output has no logits");
    }
  });
}

function check(name: string, v: number, integer: boolean): number {
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v)))
    throw new MlError("BAD_PARAM", `${name} must be a ${integer ? "whole " : ""}number > 0, got ${String(v)}`);
  return v;
}

/** Checks that teacher, student and inputs fit together; the two models' output descriptions. */
export function checkPair(
  student: tf.LayersModel,
  teacher: tf.LayersModel,
  inputs: AnyInputSet,
  task: Task,
): { s: OutputInfo; t: OutputInfo } {
  if (!inputs?.xs || inputs.xs.isDisposed) throw new MlError("BAD_DATASET", "the inputs have no xs tensor");
  if ((inputs.xs.shape[0] ?? 0) === 0) throw new MlError("BAD_DATASET", "the inputs have no rows");
  for (const [who, m] of [
    ["student", student],
    ["teacher", teacher],
  ] as const) {
    if (m.inputs.length !== 1)
      throw new MlError("BAD_PARAM", `the ${who} has ${m.inputs.length} inputs; Costgate handles single-input models`);
    const expected = m.inputs[0]!.shape.slice(1);
    const got = inputs.xs.shape.slice(1);
    if (expected.length !== got.length || !expected.every((d, i) => d === null || d === got[i]))
      throw new MlError(
        "BAD_DATASET",
        `input rows have shape [${got.join(", ")}] but the ${who} expects [${expected.map((d) => d ?? "?").join(", ")}]`,
      );
  }
  const s = describeOutput(student, task);
  const t = describeOutput(teacher, task);
  if (s.units !== t.units)
    throw new MlError("BAD_PARAM", `the student has ${s.units} outputs but the teacher ${t.units}`);
  return { s, t };
}

/** Teacher targets for every row: softened class probabilities, or output values (regression). */
async function teacherTargets(
  teacher: tf.LayersModel,
  inputs: AnyInputSet,
  out: OutputInfo,
  temperature: number,
  yieldToHost: () => Promise<void>,
): Promise<tf.Tensor2D> {
  const rows = inputs.xs.shape[0] as number;
  const parts: tf.Tensor[] = [];
  try {
    for (let start = 0; start < rows; start += 256) {
      await yieldToHost();
      const size = Math.min(256, rows - start);
      parts.push(
        tf.tidy(() => {
          const pred = teacher.predict(inputRows(inputs.xs, start, size)) as tf.Tensor;
          if (out.kind === "values") return tf.reshape(pred, [-1, 1]);
          return tf.softmax(tf.div(asLogits(pred, out), temperature));
        }),
      );
    }
    return tf.concat(parts, 0) as tf.Tensor2D;
  } finally {
    tf.dispose(parts);
  }
}

/** Distillation loss of one batch (scalar); `target` as teacherTargets makes it. */
function distillLoss(pred: tf.Tensor, target: tf.Tensor, out: OutputInfo, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    if (out.kind === "values") return tf.mean(tf.squaredDifference(tf.reshape(pred, [-1, 1]), target)) as tf.Scalar;
    const logStudent = tf.logSoftmax(tf.div(asLogits(pred, out), temperature));
    const logTarget = tf.log(tf.clipByValue(target, EPSILON, 1));
    const kl = tf.sum(tf.mul(target, tf.sub(logTarget, logStudent)), -1);
    return tf.mul(tf.mean(kl), temperature * temperature) as tf.Scalar;
  });
}

/** Trains `student` in place to match `teacher` on `inputs`; the teacher is left unchanged. */
export async function distill(
  student: tf.LayersModel,
  teacher: tf.LayersModel,
  inputs: AnyInputSet,
  opts: DistillOptions,
): Promise<DistillResult> {
  await initBackend();
  const { task } = opts;
  if (task !== "classification" && task !== "regression")
    throw new MlError("BAD_PARAM", `task must be "classification" or "regression", got ${JSON.stringify(task)}`);
  const epochs = check("epochs", opts.epochs, true);
  const learningRate = check("learningRate", opts.learningRate, false);
  const batchSize = checkBatchSize(opts.batchSize);
  const temperature = check("temperature", opts.temperature ?? 1, false);
  const { s: out, t: teacherOut } = checkPair(student, teacher, inputs, task);
  const variables = student.trainableWeights.map((w) => w.read() as tf.Variable);
  if (variables.length === 0) throw new MlError("BAD_PARAM", "the student has no trainable weights");

  const rows = inputs.xs.shape[0] as number;
  const batches = Math.ceil(rows / batchSize);
  const yieldToHost = createYielder();
  const targets = await teacherTargets(teacher, inputs, teacherOut, temperature, yieldToHost);
  const optimizer = tf.train.sgd(learningRate);
  const masks = sparsityMasks(student);
  const history: { epoch: number; loss: number }[] = [];
  let finalLoss = Number.NaN;
  let cancelled = false;
  let timeUp = false;
  let batchesRun = 0;
  try {
    for (let epoch = 1; epoch <= epochs && !cancelled && !timeUp; epoch++) {
      const order = shuffledIndices(rows, `${opts.seed ?? 0}:distill:${epoch}`);
      let lossSum = 0;
      let seen = 0;
      for (let b = 0; b < batches; b++) {
        await yieldToHost(); // the compute gate, a cancel request, progress writes
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
        const [x, target] = tf.tidy(() => {
          const idx = tf.tensor1d(order.slice(start, start + size), "int32");
          return [gatherInputs(inputs.xs, order.slice(start, start + size)), tf.gather(targets, idx)];
        });
        const lossT = optimizer.minimize(
          () => distillLoss(student.apply(x, { training: true }) as tf.Tensor, target, out, temperature),
          true,
          variables,
        );
        for (const { variable, keep } of masks) {
          const masked = tf.tidy(() => tf.where(keep, variable.read(), tf.zerosLike(variable.read())));
          variable.write(masked);
          masked.dispose();
        }
        const loss = (await lossT!.data())[0] as number;
        tf.dispose([x, target, lossT!]);
        if (!Number.isFinite(loss))
          throw new MlError(
            "BAD_PARAM",
            `distillation diverged (loss ${loss} at epoch ${epoch}, batch ${b + 1}); lower the learning rate (now ${learningRate})`,
          );
        lossSum += loss * size;
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
      if (!cancelled && !timeUp) history.push({ epoch, loss: lossSum / seen });
    }
  } finally {
    targets.dispose();
    tf.dispose(masks.map((m) => m.keep));
    optimizer.dispose();
  }
  return {
    loss: out.kind === "values" ? "mse-to-teacher" : "kl-divergence x T^2",
    temperature,
    rows,
    epochsRun: history.length,
    history,
    finalLoss,
    cancelled,
    timeUp,
    batchesRun,
  };
}
