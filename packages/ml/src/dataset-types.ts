import type { tf } from "./tf.ts";

export type Task = "classification" | "regression";

/**
 * Model inputs without labels (an UNLABELED dataset): xs is [rows, ...inputShape] float32.
 * Any loader (CSV today, images later) yields this; a labelled Dataset is one too.
 */
export interface InputSet {
  xs: tf.Tensor;
  rows: number;
  featureCount: number;
}

/**
 * A dataset held as tensors, ready for a model.
 * - xs: [rows, ...inputShape] float32
 * - ys: classification: [rows] int32 class indices; regression: [rows, 1] float32 targets
 * The owner disposes it with `disposeDataset`.
 */
export interface Dataset extends InputSet {
  ys: tf.Tensor;
  /** Classification only: 1 + the largest label. */
  numClasses?: number;
  task?: Task;
}
