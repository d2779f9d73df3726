/**
 * Agreement of a candidate model with a reference model (the version it was made from) on
 * inputs without labels: what the guardrail uses when a model has no labelled EVALUATION set.
 *
 * classification: the share of inputs where the candidate's predicted class (argmax, or the
 *   0.5 / 0 threshold of one output unit) equals the reference's. 1 = always the same answer.
 * regression: the coefficient of determination of the reference's outputs,
 *   1 - Σ(candidate - reference)² / Σ(reference - mean(reference))²: the share of the variation
 *   of the reference's answers the candidate reproduces (1 = identical; it can go below 0).
 * Either way higher is better, and the guardrail counts 1 - agreement as the drop in points.
 */
import { initBackend } from "./backend.ts";
import type { AnyInputSet, Task } from "./dataset-types.ts";
import { checkPair } from "./distill.ts";
import { inputRows } from "./input-rows.ts";
import { tf } from "./tf.ts";
import { createYielder } from "./yield-to-host.ts";

export interface Agreement {
  metric: "agreement";
  value: number;
  samples: number;
}

function predictions(pred: tf.Tensor, kind: string, units: number): tf.Tensor {
  if (kind === "values") return tf.reshape(pred, [-1]);
  if (units === 1) return tf.cast(tf.greater(tf.reshape(pred, [-1]), kind === "sigmoid" ? 0.5 : 0), "int32");
  return tf.argMax(pred, -1);
}

export async function agreementWith(
  candidate: tf.LayersModel,
  reference: tf.LayersModel,
  inputs: AnyInputSet,
  opts: { task: Task; batchSize?: number },
): Promise<Agreement> {
  await initBackend();
  const { s, t } = checkPair(candidate, reference, inputs, opts.task);
  const rows = inputs.xs.shape[0] as number;
  const batchSize = opts.batchSize ?? 256;
  const yieldToHost = createYielder();
  let same = 0;
  const cand: number[] = [];
  const ref: number[] = [];
  for (let start = 0; start < rows; start += batchSize) {
    await yieldToHost();
    const size = Math.min(batchSize, rows - start);
    const [a, b] = tf.tidy(() => {
      const x = inputRows(inputs.xs, start, size);
      return [
        predictions(candidate.predict(x) as tf.Tensor, s.kind, s.units),
        predictions(reference.predict(x) as tf.Tensor, t.kind, t.units),
      ];
    });
    const [av, bv] = [await a!.data(), await b!.data()];
    tf.dispose([a!, b!]);
    if (opts.task === "classification") {
      for (let i = 0; i < size; i++) if (av[i] === bv[i]) same++;
    } else {
      cand.push(...av);
      ref.push(...bv);
    }
  }
  if (opts.task === "classification") return { metric: "agreement", value: same / rows, samples: rows };
  const mean = ref.reduce((x, y) => x + y, 0) / rows;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < rows; i++) {
    sse += (cand[i]! - ref[i]!) ** 2;
    sst += (ref[i]! - mean) ** 2;
  }
  const value = sst > 0 ? 1 - sse / sst : sse === 0 ? 1 : 0;
  return { metric: "agreement", value, samples: rows };
}
