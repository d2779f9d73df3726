import type { tf } from "./tf.ts";

export type Task = "classification" | "regression";

/**
 * A dataset held as tensors, ready for a model.
 * - xs: [rows, ...inputShape] float32
 * - ys: classification: [rows] int32 class indices; regression: [rows, 1] float32 targets
 * The owner disposes it with `disposeDataset`.
 */
export interface Dataset {
  xs: tf.Tensor;
  ys: tf.Tensor;
  rows: number;
  featureCount: number;
  /** Classification only: 1 + the largest label. */
  numClasses?: number;
  task?: Task;
}
