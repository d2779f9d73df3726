import { initBackend } from "./backend.ts";
import type { AnyDataset, Task } from "./dataset-types.ts";
import { MlError } from "./errors.ts";
import { inputRows, sliceRows } from "./input-rows.ts";
import { batchLoss, batchMetricSum, checkDatasetFits, metricName } from "./task-loss.ts";
import { tf } from "./tf.ts";
import { createYielder } from "./yield-to-host.ts";

export interface EvaluateOptions {
  task: Task;
  /** Rows per forward pass (default 256). */
  batchSize?: number;
}

export interface Evaluation {
  metric: "accuracy" | "mse";
  /** Accuracy in [0, 1] or mean squared error. */
  value: number;
  /** Mean loss: cross-entropy (classification) or mse (regression). */
  loss: number;
  samples: number;
}

export function checkBatchSize(batchSize: number, name = "batchSize"): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new MlError("BAD_PARAM", `${name} must be a positive integer, got ${String(batchSize)}`);
  }
  return batchSize;
}

/** The model's metric and loss on a dataset, computed batch by batch in inference mode. */
export async function evaluateModel(
  model: tf.LayersModel,
  dataset: AnyDataset,
  opts: EvaluateOptions,
): Promise<Evaluation> {
  await initBackend();
  const { task } = opts;
  if (task !== "classification" && task !== "regression") {
    throw new MlError("BAD_PARAM", `task must be "classification" or "regression", got ${JSON.stringify(task)}`);
  }
  const batchSize = checkBatchSize(opts.batchSize ?? 256);
  const out = checkDatasetFits(model, dataset, task);
  const rows = dataset.xs.shape[0] as number;
  let lossSum = 0;
  let metricSum = 0;
  const yieldToHost = createYielder();
  for (let start = 0; start < rows; start += batchSize) {
    await yieldToHost();
    const size = Math.min(batchSize, rows - start);
    const sums = tf.tidy(() => {
      const x = inputRows(dataset.xs, start, size);
      const y = sliceRows(dataset.ys, start, size);
      const pred = model.predict(x) as tf.Tensor;
      return tf.stack([tf.mul(batchLoss(pred, y, out), size), batchMetricSum(pred, y, out)]);
    });
    const [l, m] = await sums.data();
    sums.dispose();
    lossSum += l as number;
    metricSum += m as number;
  }
  return { metric: metricName(task), value: metricSum / rows, loss: lossSum / rows, samples: rows };
}
