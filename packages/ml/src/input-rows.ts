/** Rows of a dataset's inputs, whether they are one tensor or a RowSource read batch by batch. */
import type { Inputs } from "./dataset-types.ts";
import { tf } from "./tf.ts";

function isTensor(xs: Inputs): xs is tf.Tensor {
  return xs instanceof tf.Tensor;
}

/** Rows [start, start + size) of a tensor. */
export function sliceRows(t: tf.Tensor, start: number, size: number): tf.Tensor {
  const begin = t.shape.map((_, i) => (i === 0 ? start : 0));
  const sizes = t.shape.map((d, i) => (i === 0 ? size : d));
  return tf.slice(t, begin, sizes);
}

/** Input rows [start, start + size) as a tensor (call inside tf.tidy, or dispose it). */
export function inputRows(xs: Inputs, start: number, size: number): tf.Tensor {
  if (isTensor(xs)) return sliceRows(xs, start, size);
  return xs.take(Array.from({ length: size }, (_, i) => start + i));
}

/** Input rows `indices`, in that order, as a tensor (call inside tf.tidy, or dispose it). */
export function gatherInputs(xs: Inputs, indices: readonly number[]): tf.Tensor {
  if (isTensor(xs)) return tf.tidy(() => tf.gather(xs, tf.tensor1d(indices as number[], "int32")));
  return xs.take(indices);
}
