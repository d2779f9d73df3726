/**
 * The optimized versions of one reference model that the benchmark compares, each written to
 * its own directory (model.json + shards) so it is measured exactly as it would be served.
 */
import { join } from "node:path";
import type { Dataset, Task } from "../src/dataset.ts";
import { fineTune } from "../src/finetune.ts";
import { inspectModel } from "../src/inspect.ts";
import { saveModel, writeModelArtifacts } from "../src/model-io.ts";
import { pruneMagnitude } from "../src/prune-magnitude.ts";
import { pruneStructured } from "../src/prune-structured.ts";
import { quantizeAccuracyAware } from "../src/quantize-accuracy-aware.ts";
import { quantizeModel } from "../src/quantize.ts";
import type { ReferenceModelName } from "../src/reference/reference-models.ts";
import { TRAINING } from "../src/reference/reference-models.ts";
import type { tf } from "../src/tf.ts";

export type VariantKey =
  | "original"
  | "uint8"
  | "uint8-aware"
  | "float16"
  | "magnitude-50-ft"
  | "magnitude-80-ft"
  | "structured-50-ft"
  | "structured-50-ft-uint8";

export interface Variant {
  key: VariantKey;
  label: string;
  modelJson: string;
  /** Wall time of the transformation (prune, fine-tune, quantize), disk writes excluded. */
  transformSeconds: number;
  notes: string[];
  /** Magnitude variants: zero kernel weights per layer right after pruning. */
  expectedZeros?: Record<string, number>;
  /** Accuracy-aware variant: its allowed drop. */
  maxDrop?: number;
}

interface FineTuneRecipe {
  epochs: number;
  learningRate: number;
  momentum: number;
  batchSize: number;
}

/**
 * Fine-tuning after pruning: the reference training recipe (learning rate, momentum, batch size)
 * for a few epochs. 2 epochs for the digits CNN (the end-to-end target), more where an epoch is
 * only a handful of batches (iris: 105 rows).
 */
function fineTuneRecipe(name: ReferenceModelName): FineTuneRecipe {
  const epochs: Record<ReferenceModelName, number> = {
    "linear-regression": 2,
    "tabular-mlp": 4,
    "digits-cnn": 2,
    "iris-mlp": 30,
  };
  const t = TRAINING[name];
  return { epochs: epochs[name], learningRate: t.learningRate, momentum: t.momentum, batchSize: t.batchSize };
}

/** Allowed drop of the accuracy-aware variant: 0.3 points for classifiers, +1 % mse for regression. */
function accuracyAwareMaxDrop(task: Task): number {
  return task === "classification" ? 0.003 : 0.01;
}

export interface VariantInputs {
  name: ReferenceModelName;
  task: Task;
  original: tf.LayersModel;
  originalModelJson: string;
  train: Dataset;
  evaluation: Dataset;
  outDir: string;
  log: (line: string) => void;
}

function seconds(t0: number): number {
  return (performance.now() - t0) / 1000;
}

export async function buildVariants(inp: VariantInputs): Promise<Variant[]> {
  const { name, task, original, train, evaluation, outDir, log } = inp;
  const ft = fineTuneRecipe(name);
  const dir = (key: VariantKey) => join(outDir, name, key);
  const variants: Variant[] = [
    { key: "original", label: "original (float32)", modelJson: inp.originalModelJson, transformSeconds: 0, notes: [] },
  ];

  let t0 = performance.now();
  const u8 = await quantizeModel(original, { dtype: "uint8" });
  let took = seconds(t0);
  variants.push({
    key: "uint8",
    label: "uint8 per tensor (tfjs converter scheme)",
    modelJson: (await writeModelArtifacts(dir("uint8"), u8)).modelJsonPath,
    transformSeconds: took,
    notes: [],
  });
  log(`${name}: uint8 in ${took.toFixed(2)} s`);

  const maxDrop = accuracyAwareMaxDrop(task);
  t0 = performance.now();
  const aware = await quantizeAccuracyAware(original, evaluation, { task, dtype: "uint8", maxDrop });
  took = seconds(t0);
  const r = aware.recipe;
  variants.push({
    key: "uint8-aware",
    label: `uint8 accuracy-aware (max drop ${task === "classification" ? `${maxDrop * 100} pt` : `${maxDrop * 100}% mse`})`,
    modelJson: (await writeModelArtifacts(dir("uint8-aware"), aware.artifacts)).modelJsonPath,
    transformSeconds: took,
    maxDrop,
    notes: [
      r.promoted.length === 0
        ? `plain uint8 was within the drop (${r.evaluations} evaluations)`
        : `kept at 16 bits: ${r.promoted.map((n) => `${n} (${r.tensors.find((t) => t.name === n)?.dtype})`).join(", ")}; ` +
          `all-uint8 ${r.metric} ${r.allUint8.toFixed(4)} → ${r.after.toFixed(4)} (${r.evaluations} evaluations)`,
    ],
  });
  log(`${name}: uint8 accuracy-aware in ${took.toFixed(2)} s, promoted ${r.promoted.length}`);

  t0 = performance.now();
  const f16 = await quantizeModel(original, { dtype: "float16" });
  took = seconds(t0);
  variants.push({
    key: "float16",
    label: "float16",
    modelJson: (await writeModelArtifacts(dir("float16"), f16)).modelJsonPath,
    transformSeconds: took,
    notes: [],
  });

  for (const sparsity of [0.5, 0.8] as const) {
    const key: VariantKey = sparsity === 0.5 ? "magnitude-50-ft" : "magnitude-80-ft";
    t0 = performance.now();
    const { model, recipe } = await pruneMagnitude(original, { sparsity, scope: "per-layer" });
    try {
      await fineTune(model, train, { task, ...ft, seed: 1, preserveSparsity: true });
      took = seconds(t0);
      variants.push({
        key,
        label: `magnitude ${sparsity * 100}% + fine-tune (TF-MOT scheme)`,
        modelJson: (await saveModel(model, dir(key))).modelJsonPath,
        transformSeconds: took,
        expectedZeros: Object.fromEntries(recipe.layers.map((l) => [l.name, l.zeroed])),
        notes: [`${ft.epochs} epochs, preserveSparsity; kernel sparsity ${(recipe.total.sparsity * 100).toFixed(1)}%`],
      });
    } finally {
      model.dispose();
    }
    log(`${name}: magnitude ${sparsity} + fine-tune in ${took.toFixed(2)} s`);
  }

  t0 = performance.now();
  const { model: pruned, recipe: sr } = await pruneStructured(original, { sparsity: 0.5 });
  try {
    await fineTune(pruned, train, { task, ...ft, seed: 1 });
    const structuredSeconds = seconds(t0);
    const shape = sr.layers.map((l) => `${l.name} ${l.before}→${l.after}`).join(", ");
    const alone = sr.leftAlone.map((g) => `${g.layers.join("+")}: ${g.reasons.join("; ")}`).join(" | ");
    variants.push({
      key: "structured-50-ft",
      label: "structured 50% + fine-tune",
      modelJson: (await saveModel(pruned, dir("structured-50-ft"))).modelJsonPath,
      transformSeconds: structuredSeconds,
      notes: [
        `${ft.epochs} epochs; ${shape || "nothing pruned"}; MACs ${inspectModel(original).macs} → ${sr.macs.after}`,
        ...(alone ? [`left alone: ${alone}`] : []),
      ],
    });
    log(`${name}: structured 0.5 + fine-tune in ${structuredSeconds.toFixed(2)} s`);

    t0 = performance.now();
    const q = await quantizeModel(pruned, { dtype: "uint8" });
    took = structuredSeconds + seconds(t0);
    variants.push({
      key: "structured-50-ft-uint8",
      label: "structured 50% + fine-tune + uint8",
      modelJson: (await writeModelArtifacts(dir("structured-50-ft-uint8"), q)).modelJsonPath,
      transformSeconds: took,
      notes: ["time = prune + fine-tune + quantize, end to end"],
    });
  } finally {
    pruned.dispose();
  }
  return variants;
}
