import type { tf } from "./tf.ts";

export type Task = "classification" | "regression";

/**
 * Model inputs that are not held as one tensor but read batch by batch (an image dataset's
 * decoded file, image-dataset.ts): memory holds a batch, not every row.
 */
export interface RowSource {
  /** [rows, ...inputShape], as a tensor's shape. */
  readonly shape: readonly number[];
  /** Rows `indices` as a float32 [indices.length, ...inputShape] tensor (tracked by an enclosing tf.tidy). */
  take(indices: readonly number[]): tf.Tensor;
  readonly isDisposed: boolean;
  dispose(): void;
}

/** Inputs held as one tensor, or read batch by batch. */
export type Inputs = tf.Tensor | RowSource;

/**
 * Model inputs without labels (an UNLABELED dataset): xs is [rows, ...inputShape] float32, as one
 * tensor (CSV) or a RowSource (images). A labelled Dataset is one too.
 */
export interface InputSet<X extends Inputs = tf.Tensor> {
  xs: X;
  rows: number;
  featureCount: number;
}

/**
 * A dataset ready for a model.
 * - xs: [rows, ...inputShape] float32 (a tensor, or a RowSource read batch by batch)
 * - ys: classification: [rows] int32 class indices; regression: [rows, 1] float32 targets
 * The owner disposes it with `disposeDataset`.
 */
export interface Dataset<X extends Inputs = tf.Tensor> extends InputSet<X> {
  ys: tf.Tensor;
  /** Classification only: 1 + the largest label. */
  numClasses?: number;
  task?: Task;
}

/** Any dataset or input set, whichever way its inputs are held: what evaluation and training take. */
export type AnyDataset = Dataset<Inputs>;
export type AnyInputSet = InputSet<Inputs>;
