/** The commands of costgate-ml: option specs, help texts and what each one does. */
import { flag, num, oneOf, parse, required, str, UsageError, type OptionSpec } from "./cli-args.ts";
import { benchmarkCommand, inspectCommand } from "./cli-measure.ts";
import {
  COMMON,
  emit,
  loadData,
  metricText,
  modelPath,
  pct,
  taskOf,
  withModel,
  type CommandSpec,
} from "./cli-shared.ts";
import { initBackend } from "./backend.ts";
import { disposeDataset, splitDataset, type Dataset } from "./dataset.ts";
import { evaluateModel } from "./evaluate.ts";
import { fineTune } from "./finetune.ts";
import { readModelArtifacts, saveModel, writeModelArtifacts } from "./model-io.ts";
import { pruneMagnitude } from "./prune-magnitude.ts";
import { pruneStructured } from "./prune-structured.ts";
import { quantizeAccuracyAware } from "./quantize-accuracy-aware.ts";
import { quantizeArtifacts } from "./quantize.ts";
import { formatBytes, formatCount, formatTable } from "./text-table.ts";

// ---------------------------------------------------------------------------------------------

const evaluateOptions: OptionSpec = {
  ...COMMON,
  data: { type: "string" },
  task: { type: "string" },
  "batch-size": { type: "string" },
};

const evaluate: CommandSpec = {
  summary: "metric (accuracy or mse) and loss on a CSV dataset",
  help: `Usage: costgate-ml evaluate <model.json> --data <file.csv> [options]

Evaluates the model on a CSV (one column per input value, last column "label").

Options:
  --data <file.csv>      dataset to evaluate on (required)
  --task <task>          classification | regression (default: guessed from the output layer)
  --batch-size <n>       rows per forward pass (default 256)
  --json                 print the result as JSON`,
  async run(argv, ctx) {
    const p = parse("evaluate", argv, evaluateOptions);
    const path = modelPath(p, "evaluate");
    const data = required(p, "data", "evaluate");
    const batchSize = num(p, "batch-size", "evaluate", { min: 1, integer: true });
    await withModel(path, async (model) => {
      const { task, inferred } = taskOf(p, "evaluate", model);
      const ds = await loadData(data, model, task);
      try {
        const r = await evaluateModel(model, ds, { task, ...(batchSize ? { batchSize } : {}) });
        emit(ctx, { model: path, data, task, ...r }, () =>
          formatTable(
            ["model", "task", "samples", r.metric, "loss"],
            [
              [
                path,
                `${task}${inferred ? " (guessed)" : ""}`,
                r.samples,
                metricText(r.metric, r.value),
                r.loss.toPrecision(5),
              ],
            ],
          ),
        );
      } finally {
        disposeDataset(ds);
      }
    });
  },
};

// ---------------------------------------------------------------------------------------------

const pruneOptions: OptionSpec = {
  ...COMMON,
  out: { type: "string" },
  method: { type: "string" },
  sparsity: { type: "string" },
  scope: { type: "string" },
};

const prune: CommandSpec = {
  summary: "structured (smaller layers) or magnitude (zeroed weights) pruning into --out",
  help: `Usage: costgate-ml prune <model.json> --out <dir> [options]

Options:
  --method <m>           structured (default): removes the units/filters with the smallest L1 norm,
                         which makes the model smaller and faster;
                         magnitude: zeroes the smallest weights (same size and speed, sparse)
  --sparsity <s>         fraction to remove, 0 < s < 1 (default 0.5)
  --scope <scope>        magnitude only: per-layer (default) | global
  --out <dir>            directory for the pruned model.json and weights (required)
  --json                 print the recipe as JSON`,
  async run(argv, ctx) {
    const p = parse("prune", argv, pruneOptions);
    const path = modelPath(p, "prune");
    const out = required(p, "out", "prune");
    const method = oneOf(p, "method", "prune", ["structured", "magnitude"] as const) ?? "structured";
    const sparsity = num(p, "sparsity", "prune", { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true }) ?? 0.5;
    const scope = oneOf(p, "scope", "prune", ["per-layer", "global"] as const);
    if (scope && method !== "magnitude") throw new UsageError("--scope applies to --method magnitude only", "prune");
    await withModel(path, async (model) => {
      if (method === "structured") {
        const { model: pruned, recipe } = await pruneStructured(model, { sparsity });
        try {
          const saved = await saveModel(pruned, out);
          emit(ctx, { recipe, saved: { dir: saved.dir, bytes: saved.totalBytes } }, () =>
            [
              formatTable(
                ["layer", "type", "before", "after", "removed"],
                recipe.layers.map((l) => [l.name, l.className, l.before, l.after, pct(l.sparsity)]),
              ),
              ...recipe.leftAlone.map((g) => `left alone: ${g.layers.join(", ")}: ${g.reasons.join("; ")}`),
              `parameters ${formatCount(recipe.params.before)} → ${formatCount(recipe.params.after)}`,
              `saved ${saved.modelJsonPath} (${formatBytes(saved.totalBytes)})`,
            ].join("\n"),
          );
        } finally {
          pruned.dispose();
        }
      } else {
        const { model: pruned, recipe } = await pruneMagnitude(model, { sparsity, scope: scope ?? "per-layer" });
        try {
          const saved = await saveModel(pruned, out);
          emit(ctx, { recipe, saved: { dir: saved.dir, bytes: saved.totalBytes } }, () =>
            [
              formatTable(
                ["layer", "kernel weights", "zero", "sparsity"],
                recipe.layers.map((l) => [l.name, l.weights, l.zeroed, pct(l.sparsity)]),
              ),
              `total sparsity ${pct(recipe.total.sparsity)} (${recipe.scope}); zeros do not make tfjs faster or the file smaller`,
              `saved ${saved.modelJsonPath} (${formatBytes(saved.totalBytes)})`,
            ].join("\n"),
          );
        } finally {
          pruned.dispose();
        }
      }
    });
  },
};

// ---------------------------------------------------------------------------------------------

const finetuneOptions: OptionSpec = {
  ...COMMON,
  data: { type: "string" },
  task: { type: "string" },
  out: { type: "string" },
  epochs: { type: "string" },
  lr: { type: "string" },
  "batch-size": { type: "string" },
  momentum: { type: "string" },
  seed: { type: "string" },
  "validation-split": { type: "string" },
  "preserve-sparsity": { type: "boolean" },
};

const finetune: CommandSpec = {
  summary: "SGD fine-tuning on a CSV dataset into --out",
  help: `Usage: costgate-ml finetune <model.json> --data <train.csv> --out <dir> [options]

Options:
  --data <file.csv>          training data (required)
  --task <task>              classification | regression (default: guessed from the output layer)
  --epochs <n>               default 2
  --lr <rate>                learning rate, default 0.01
  --batch-size <n>           default 32
  --momentum <m>             0 ≤ m < 1, default 0.9
  --seed <n>                 shuffling seed, default 0
  --validation-split <f>     hold out this fraction of the rows and report the metric on it
  --preserve-sparsity        kernel weights that are exactly 0 stay 0 (after magnitude pruning)
  --out <dir>                directory for the fine-tuned model (required)
  --json                     print the result as JSON`,
  async run(argv, ctx) {
    const p = parse("finetune", argv, finetuneOptions);
    const path = modelPath(p, "finetune");
    const data = required(p, "data", "finetune");
    const out = required(p, "out", "finetune");
    const epochs = num(p, "epochs", "finetune", { min: 1, integer: true }) ?? 2;
    const learningRate = num(p, "lr", "finetune", { min: 0, exclusiveMin: true }) ?? 0.01;
    const batchSize = num(p, "batch-size", "finetune", { min: 1, integer: true }) ?? 32;
    const momentum = num(p, "momentum", "finetune", { min: 0, max: 1, exclusiveMax: true }) ?? 0.9;
    const seed = num(p, "seed", "finetune", { integer: true }) ?? 0;
    const split = num(p, "validation-split", "finetune", { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true });
    await withModel(path, async (model) => {
      const { task } = taskOf(p, "finetune", model);
      const all = await loadData(data, model, task);
      let train = all;
      let validation: Dataset | undefined;
      try {
        if (split !== undefined) {
          const parts = splitDataset(all, split, seed);
          train = parts.train;
          validation = parts.validation;
        }
        const result = await fineTune(model, train, {
          task,
          epochs,
          learningRate,
          batchSize,
          momentum,
          seed,
          preserveSparsity: flag(p, "preserve-sparsity"),
          ...(validation ? { validation } : {}),
          onProgress: (pr) => {
            if (pr.batch === pr.batches)
              ctx.progress(`epoch ${pr.epoch}/${pr.epochs} done, last batch loss ${pr.loss.toPrecision(4)}`);
          },
        });
        const saved = await saveModel(model, out);
        const metric = task === "classification" ? "accuracy" : "mse";
        emit(
          ctx,
          {
            task,
            epochs,
            learningRate,
            batchSize,
            momentum,
            ...result,
            saved: { dir: saved.dir, bytes: saved.totalBytes },
          },
          () =>
            [
              formatTable(
                ["epoch", "loss", `${validation ? "validation" : "train"} ${metric}`],
                result.history.map((h) => [h.epoch, h.loss.toPrecision(5), metricText(metric, h.metric)]),
              ),
              `saved ${saved.modelJsonPath} (${formatBytes(saved.totalBytes)})`,
            ].join("\n"),
        );
      } finally {
        if (train !== all) disposeDataset(train);
        disposeDataset(validation);
        disposeDataset(all);
      }
    });
  },
};

// ---------------------------------------------------------------------------------------------

const quantizeOptions: OptionSpec = {
  ...COMMON,
  out: { type: "string" },
  dtype: { type: "string" },
  "accuracy-aware": { type: "boolean" },
  "max-drop": { type: "string" },
  data: { type: "string" },
  task: { type: "string" },
};

const quantize: CommandSpec = {
  summary: "uint8 / uint16 / float16 weights (optionally accuracy-aware) into --out",
  help: `Usage: costgate-ml quantize <model.json> --out <dir> [options]

Stores the weights as 8- or 16-bit values in the standard tfjs weights manifest (plain
tf.loadLayersModel reads them). Files shrink 4× (uint8) or 2× (uint16, float16); tfjs decodes
them to float32 at load, so inference is not faster.

Options:
  --dtype <d>            uint8 (default) | uint16 | float16
  --accuracy-aware       uint8, but keep the tensors that hurt the metric most at 16 bits until
                         the drop is within --max-drop (needs --data)
  --max-drop <d>         allowed drop: accuracy points as a fraction (0.01 = 1 point) or relative
                         mse increase (default 0.01)
  --data <file.csv>      evaluation data for --accuracy-aware
  --task <task>          classification | regression (default: guessed from the output layer)
  --out <dir>            directory for the quantized model (required)
  --json                 print the result as JSON`,
  async run(argv, ctx) {
    const p = parse("quantize", argv, quantizeOptions);
    const path = modelPath(p, "quantize");
    const out = required(p, "out", "quantize");
    const dtype = oneOf(p, "dtype", "quantize", ["uint8", "uint16", "float16"] as const);
    const aware = flag(p, "accuracy-aware");
    const maxDrop = num(p, "max-drop", "quantize", { min: 0 });
    if (!aware) {
      for (const name of ["max-drop", "data", "task"]) {
        if (str(p, name) !== undefined) throw new UsageError(`--${name} applies to --accuracy-aware only`, "quantize");
      }
      await initBackend();
      const result = quantizeArtifacts(await readModelArtifacts(path), { dtype: dtype ?? "uint8" });
      const saved = await writeModelArtifacts(out, result.artifacts);
      emit(
        ctx,
        {
          dtype: dtype ?? "uint8",
          tensors: result.tensors,
          bytesBefore: result.bytesBefore,
          bytesAfter: result.bytesAfter,
          saved: { dir: saved.dir, bytes: saved.totalBytes },
        },
        () =>
          [
            formatTable(
              ["tensor", "shape", "stored as", "bytes", "max |error|"],
              result.tensors.map((t) => [
                t.name,
                t.shape.join("×"),
                t.storage,
                t.bytes,
                t.maxAbsError.toExponential(2),
              ]),
            ),
            `weights ${formatBytes(result.bytesBefore)} → ${formatBytes(result.bytesAfter)} (${(result.bytesBefore / Math.max(1, result.bytesAfter)).toFixed(2)}× smaller)`,
            `saved ${saved.modelJsonPath}`,
          ].join("\n"),
      );
      return;
    }
    if (dtype && dtype !== "uint8") throw new UsageError("--accuracy-aware starts from --dtype uint8", "quantize");
    const data = required(p, "data", "quantize");
    await withModel(path, async (model) => {
      const { task } = taskOf(p, "quantize", model);
      const ds = await loadData(data, model, task);
      try {
        const { artifacts, recipe } = await quantizeAccuracyAware(model, ds, {
          task,
          dtype: "uint8",
          maxDrop: maxDrop ?? 0.01,
        });
        const saved = await writeModelArtifacts(out, artifacts);
        emit(ctx, { recipe, saved: { dir: saved.dir, bytes: saved.totalBytes } }, () =>
          [
            formatTable(
              ["tensor", "stored as", "sensitivity (drop alone at uint8)"],
              recipe.tensors.map((t) => {
                const s = recipe.sensitivities.find((x) => x.name === t.name);
                return [t.name, t.dtype, s ? s.drop.toFixed(4) : ""];
              }),
            ),
            `${recipe.metric}: float ${metricText(recipe.metric, recipe.before)}, all uint8 ${metricText(recipe.metric, recipe.allUint8)}, written ${metricText(recipe.metric, recipe.after)}`,
            `drop ${recipe.drop.toFixed(4)} (max ${recipe.maxDrop}): ${recipe.withinDrop ? "within" : "NOT within"} the allowed drop`,
            `saved ${saved.modelJsonPath} (${formatBytes(saved.totalBytes)})`,
          ].join("\n"),
        );
      } finally {
        disposeDataset(ds);
      }
    });
  },
};

export const COMMANDS: Record<string, CommandSpec> = {
  inspect: inspectCommand,
  evaluate,
  benchmark: benchmarkCommand,
  prune,
  finetune,
  quantize,
};
