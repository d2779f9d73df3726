/**
 * Loss and metric for the two tasks Costgate knows, shared by evaluation and fine-tuning.
 *
 * classification: integer labels; the model ends in softmax (probabilities), or in a linear
 *   layer (logits, softmax applied here); one sigmoid/linear output unit means binary.
 *   Loss: sparse categorical (or binary) cross-entropy. Metric: accuracy.
 * regression: one output per row. Loss and metric: mean squared error.
 */
import type { AnyDataset, Task } from "./dataset-types.ts";
import { MlError } from "./errors.ts";
import { tf } from "./tf.ts";

const EPSILON = 1e-7;

export interface OutputInfo {
  units: number;
  /** How the last layer's values are to be read. */
  kind: "probabilities" | "logits" | "sigmoid" | "binary-logit" | "values";
}

function lastActivation(model: tf.LayersModel): string {
  const layer = model.outputLayers?.[0] ?? model.layers[model.layers.length - 1];
  if (!layer) return "linear";
  const className = layer.getClassName();
  if (className === "Softmax") return "softmax";
  const act = (layer.getConfig() as { activation?: unknown }).activation;
  return typeof act === "string" ? act : "linear";
}

export function describeOutput(model: tf.LayersModel, task: Task): OutputInfo {
  if (model.outputs.length !== 1) {
    throw new MlError(
      "BAD_PARAM",
      `the model has ${model.outputs.length} outputs; Costgate evaluates single-output models`,
    );
  }
  const shape = model.outputs[0]!.shape;
  if (shape.length !== 2) {
    throw new MlError("BAD_PARAM", `the model's output has shape [${shape.join(", ")}]; expected [batch, units]`);
  }
  const units = shape[1] as number;
  const act = lastActivation(model);
  if (task === "regression") {
    if (units !== 1)
      throw new MlError("BAD_PARAM", `a regression model must have 1 output unit, this one has ${units}`);
    return { units, kind: "values" };
  }
  if (units === 1) return { units, kind: act === "sigmoid" ? "sigmoid" : "binary-logit" };
  return { units, kind: act === "softmax" ? "probabilities" : "logits" };
}

/** Number of classes the output can tell apart. */
function classCount(out: OutputInfo): number {
  return out.units === 1 ? 2 : out.units;
}

/** Mean loss of a batch (scalar). `y`: int32 [b] labels or float32 [b, 1] targets. */
export function batchLoss(pred: tf.Tensor, y: tf.Tensor, out: OutputInfo): tf.Scalar {
  return tf.tidy(() => {
    switch (out.kind) {
      case "values":
        return tf.mean(tf.squaredDifference(tf.reshape(pred, [-1]), tf.reshape(y, [-1]))) as tf.Scalar;
      case "probabilities": {
        const p = tf.clipByValue(pred, EPSILON, 1 - EPSILON);
        const oneHot = tf.oneHot(tf.cast(y, "int32"), out.units);
        return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.log(p)), -1))) as tf.Scalar;
      }
      case "logits":
        return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(y, "int32"), out.units), pred) as tf.Scalar;
      case "sigmoid": {
        const p = tf.clipByValue(tf.reshape(pred, [-1]), EPSILON, 1 - EPSILON);
        const t = tf.cast(tf.reshape(y, [-1]), "float32");
        return tf.neg(tf.mean(tf.add(tf.mul(t, tf.log(p)), tf.mul(tf.sub(1, t), tf.log(tf.sub(1, p)))))) as tf.Scalar;
      }
      case "binary-logit":
        return tf.losses.sigmoidCrossEntropy(tf.reshape(tf.cast(y, "float32"), [-1, 1]), pred) as tf.Scalar;
    }
  });
}

/** Classification: how many rows of the batch are right (scalar). Regression: sum of squared errors. */
export function batchMetricSum(pred: tf.Tensor, y: tf.Tensor, out: OutputInfo): tf.Scalar {
  return tf.tidy(() => {
    if (out.kind === "values")
      return tf.sum(tf.squaredDifference(tf.reshape(pred, [-1]), tf.reshape(y, [-1]))) as tf.Scalar;
    const labels = tf.cast(tf.reshape(y, [-1]), "int32");
    let guess: tf.Tensor;
    if (out.units === 1) {
      const threshold = out.kind === "sigmoid" ? 0.5 : 0;
      guess = tf.cast(tf.greater(tf.reshape(pred, [-1]), threshold), "int32");
    } else {
      guess = tf.argMax(pred, -1);
    }
    return tf.sum(tf.cast(tf.equal(guess, labels), "float32")) as tf.Scalar;
  });
}

export function metricName(task: Task): "accuracy" | "mse" {
  return task === "classification" ? "accuracy" : "mse";
}

/** True when `a` is a better value of the task's metric than `b` by more than `minDelta`. */
export function isBetter(task: Task, a: number, b: number, minDelta = 0): boolean {
  return task === "classification" ? a > b + minDelta : a < b - minDelta;
}

/** Refuses a dataset that does not fit the model, saying what differs. */
export function checkDatasetFits(model: tf.LayersModel, ds: AnyDataset, task: Task, what = "dataset"): OutputInfo {
  if (!ds || !ds.xs || !ds.ys) throw new MlError("BAD_DATASET", `${what} has no xs/ys tensors`);
  if (ds.xs.isDisposed || ds.ys.isDisposed) throw new MlError("BAD_DATASET", `${what} has been disposed`);
  if (ds.task !== undefined && ds.task !== task) {
    throw new MlError("BAD_DATASET", `${what} was loaded for ${ds.task}, but the task is ${task}`);
  }
  const rows = ds.xs.shape[0] ?? 0;
  if (rows === 0) throw new MlError("BAD_DATASET", `${what} has no rows`);
  if (ds.ys.shape[0] !== rows) {
    throw new MlError("BAD_DATASET", `${what} has ${rows} inputs but ${String(ds.ys.shape[0])} labels`);
  }
  if (model.inputs.length !== 1) {
    throw new MlError("BAD_PARAM", `the model has ${model.inputs.length} inputs; Costgate handles single-input models`);
  }
  const expected = model.inputs[0]!.shape.slice(1);
  const got = ds.xs.shape.slice(1);
  const fits = expected.length === got.length && expected.every((d, i) => d === null || d === got[i]);
  if (!fits) {
    throw new MlError(
      "BAD_DATASET",
      `${what} rows have shape [${got.join(", ")}] but the model expects [${expected.map((d) => d ?? "?").join(", ")}]`,
    );
  }
  const out = describeOutput(model, task);
  if (task === "classification" && ds.numClasses !== undefined && ds.numClasses > classCount(out)) {
    throw new MlError(
      "BAD_DATASET",
      `${what} has labels up to ${ds.numClasses - 1} but the model outputs only ${classCount(out)} classes`,
    );
  }
  return out;
}
