/**
 * Accuracy-aware quantization: uint8 everywhere unless that costs more than `maxDrop` of the
 * metric, in which case the tensors whose uint8 storage hurts the metric most are kept at
 * 16 bits, one at a time, until the drop is within bounds.
 *
 * 1. metric of the float model on the evaluation set;
 * 2. metric with every float32 tensor at uint8: done if the drop ≤ maxDrop;
 * 3. otherwise, sensitivity of each tensor = the drop with only that tensor at uint8;
 * 4. most sensitive first, store tensors at 16 bits (uint16 or float16, whichever
 *    reconstructs that tensor better, unless `fallbackDtype` says) until within the drop.
 *
 * Calibration data without labels (an InputSet, e.g. an UNLABELED dataset) works too: the
 * metric is then the agreement with the float model (agreement.ts), 1 before quantization.
 *
 * The drop is absolute for accuracy and agreement (0.01 = 1 point) and a relative increase for mse
 * (0.01 = +1 %). Candidate weights are evaluated on one clone of the model with the values
 * tfjs will decode; the final artifacts are loaded back with plain tfjs and evaluated again,
 * so `after` is the metric of what is written.
 */
import { agreementWith } from "./agreement.ts";
import { cloneModel } from "./clone-model.ts";
import type { AnyDataset, AnyInputSet } from "./dataset-types.ts";
import { MlError } from "./errors.ts";
import { evaluateModel } from "./evaluate.ts";
import { reconstructionError, roundTrip } from "./quantize-codec.ts";
import { modelToArtifacts, quantizeArtifacts, readWeightEntries, type TensorStorage } from "./quantize.ts";
import { tf } from "./tf.ts";

type Task = "classification" | "regression";

export interface AccuracyAwareOptions {
  task: Task;
  /** Base dtype; only 'uint8' (16-bit storage is the fallback). */
  dtype?: "uint8";
  /** Largest allowed drop: accuracy points as a fraction (0.003), or relative mse increase. */
  maxDrop: number;
  /** 16-bit storage for sensitive tensors; 'auto' (default) picks the better of uint16/float16 per tensor. */
  fallbackDtype?: "uint16" | "float16" | "auto";
  signal?: AbortSignal;
}

interface TensorSensitivity {
  name: string;
  /** Metric drop with only this tensor stored as uint8 (same units as maxDrop). */
  drop: number;
}

interface AccuracyAwareRecipe {
  method: "quantize-accuracy-aware";
  dtype: "uint8";
  maxDrop: number;
  metric: string;
  /** Metric of the float model. */
  before: number;
  /** Metric with every tensor at uint8. */
  allUint8: number;
  /** Metric of the returned artifacts (loaded back with tfjs). */
  after: number;
  /** Drop of `after` against `before`. */
  drop: number;
  withinDrop: boolean;
  /** Storage per tensor, in manifest order. */
  tensors: { name: string; dtype: TensorStorage | "unchanged" }[];
  /** Tensors kept at 16 bits, in the order they were promoted. */
  promoted: string[];
  /** Empty when plain uint8 was already within the drop. */
  sensitivities: TensorSensitivity[];
  evaluations: number;
}

export interface AccuracyAwareResult {
  artifacts: tf.io.ModelArtifacts;
  recipe: AccuracyAwareRecipe;
}

/** Drop of `after` relative to `before`: lower accuracy, or relative increase of mse. */
function metricDrop(metric: string, before: number, after: number): number {
  if (metric === "mse" || metric === "loss" || metric === "mae") {
    return before === 0 ? after - before : (after - before) / before;
  }
  return before - after;
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new MlError("BAD_PARAM", "accuracy-aware quantization was aborted");
}

export async function quantizeAccuracyAware(
  model: tf.LayersModel,
  evalDataset: AnyDataset | AnyInputSet,
  opts: AccuracyAwareOptions,
): Promise<AccuracyAwareResult> {
  if (!(model instanceof tf.LayersModel)) {
    throw new MlError("NOT_A_LAYERS_MODEL", "quantizeAccuracyAware needs a tf.LayersModel");
  }
  if (opts === null || typeof opts !== "object") {
    throw new MlError("BAD_PARAM", "quantizeAccuracyAware needs options { task, maxDrop }");
  }
  const { task, maxDrop, signal } = opts;
  const dtype = opts.dtype ?? "uint8";
  const fallback = opts.fallbackDtype ?? "auto";
  if (task !== "classification" && task !== "regression") {
    throw new MlError("BAD_PARAM", `task must be 'classification' or 'regression' (got ${JSON.stringify(task)})`);
  }
  if (dtype !== "uint8") {
    throw new MlError(
      "BAD_PARAM",
      `accuracy-aware quantization starts from uint8 (got dtype ${JSON.stringify(dtype)})`,
    );
  }
  if (typeof maxDrop !== "number" || !Number.isFinite(maxDrop) || maxDrop < 0) {
    throw new MlError("BAD_PARAM", `maxDrop must be a number ≥ 0 (got ${JSON.stringify(maxDrop)})`);
  }
  if (fallback !== "auto" && fallback !== "uint16" && fallback !== "float16") {
    throw new MlError(
      "BAD_PARAM",
      `fallbackDtype must be 'auto', 'uint16' or 'float16' (got ${JSON.stringify(fallback)})`,
    );
  }

  const floatArtifacts = await modelToArtifacts(model);
  const entries = readWeightEntries(floatArtifacts).filter((e) => e.values !== undefined);
  const floatValues = new Map(entries.map((e) => [e.spec.name, e.values as Float32Array]));
  const uint8Values = new Map(entries.map((e) => [e.spec.name, roundTrip(e.values as Float32Array, "uint8")]));
  const fallbackOf = (name: string): "uint16" | "float16" => {
    if (fallback !== "auto") return fallback;
    const v = floatValues.get(name) as Float32Array;
    return reconstructionError(v, "uint16") <= reconstructionError(v, "float16") ? "uint16" : "float16";
  };

  let evaluations = 0;
  const probe = await cloneModel(model);
  const variables = new Map(probe.weights.map((w) => [w.originalName, w]));
  const current = new Map<string, Float32Array>();
  const setValues = (values: Map<string, Float32Array>): void => {
    for (const [name, v] of values) {
      if (current.get(name) === v) continue;
      const variable = variables.get(name);
      if (!variable) continue; // optimizer or unknown weights do not affect the metric
      const t = tf.tensor(v, variable.shape as number[], "float32");
      variable.write(t);
      t.dispose();
      current.set(name, v);
    }
  };
  const evaluate = async (m: tf.LayersModel): Promise<{ metric: string; value: number }> => {
    checkAbort(signal);
    evaluations++;
    const r =
      "ys" in evalDataset
        ? await evaluateModel(m, evalDataset, { task })
        : await agreementWith(m, model, evalDataset, { task });
    return { metric: r.metric, value: r.value };
  };
  const sixteenValues = new Map<string, Float32Array>();
  const storageFor = (name: string, sixteen: Set<string>): Float32Array => {
    if (!sixteen.has(name)) return uint8Values.get(name) as Float32Array;
    let v = sixteenValues.get(name);
    if (!v) {
      v = roundTrip(floatValues.get(name) as Float32Array, fallbackOf(name));
      sixteenValues.set(name, v);
    }
    return v;
  };

  try {
    setValues(floatValues);
    const base = await evaluate(probe);
    const metric = base.metric;
    const all8 = new Map(entries.map((e) => [e.spec.name, uint8Values.get(e.spec.name) as Float32Array]));
    setValues(all8);
    const allUint8 = (await evaluate(probe)).value;

    const sixteen = new Set<string>();
    const promoted: string[] = [];
    const sensitivities: TensorSensitivity[] = [];
    if (metricDrop(metric, base.value, allUint8) > maxDrop) {
      for (const e of entries) {
        const name = e.spec.name;
        const only = new Map(floatValues);
        only.set(name, uint8Values.get(name) as Float32Array);
        setValues(only);
        sensitivities.push({ name, drop: metricDrop(metric, base.value, (await evaluate(probe)).value) });
      }
      // Most sensitive first; at equal sensitivity the larger tensor (more quantization noise) first.
      const order = [...sensitivities].sort(
        (a, b) => b.drop - a.drop || (floatValues.get(b.name)?.length ?? 0) - (floatValues.get(a.name)?.length ?? 0),
      );
      for (const s of order) {
        sixteen.add(s.name);
        promoted.push(s.name);
        setValues(new Map(entries.map((e) => [e.spec.name, storageFor(e.spec.name, sixteen)])));
        const value = (await evaluate(probe)).value;
        if (metricDrop(metric, base.value, value) <= maxDrop) break;
      }
    }

    const tensors: Record<string, TensorStorage> = {};
    for (const name of sixteen) tensors[name] = fallbackOf(name);
    const result = quantizeArtifacts(floatArtifacts, { dtype: "uint8", tensors });
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(result.artifacts));
    let after: number;
    try {
      after = (await evaluate(loaded)).value;
    } finally {
      loaded.dispose();
    }
    const drop = metricDrop(metric, base.value, after);
    return {
      artifacts: result.artifacts,
      recipe: {
        method: "quantize-accuracy-aware",
        dtype: "uint8",
        maxDrop,
        metric,
        before: base.value,
        allUint8,
        after,
        drop,
        withinDrop: drop <= maxDrop + 1e-12,
        tensors: result.tensors.map((t) => ({ name: t.name, dtype: t.storage })),
        promoted,
        sensitivities,
        evaluations,
      },
    };
  } finally {
    probe.dispose();
  }
}
