import {
  compareCost,
  disposeDataset,
  evaluateModel,
  inspectModel,
  loadCsvDataset,
  loadModel,
  measureCost,
  modelInputShape,
  type Dataset,
  type tf,
} from "@costgate/ml";
import { applyStep } from "../features/apply-step.ts";
import type { DatasetRef, ModelFacts, Ops } from "./protocol.ts";

/** Runs in the TensorFlow child process: the operations of protocol.ts on model and dataset files. */

type Handler<O extends keyof Ops> = (args: Ops[O]["args"], ctx: CallContext) => Promise<Ops[O]["result"]>;

export interface CallContext {
  signal: AbortSignal;
  progress: (fraction: number, stage: string) => void;
}

function factsOf(model: tf.LayersModel, modelJsonPath: string): ModelFacts {
  const inspection = inspectModel(model, { modelJsonPath });
  return {
    parameterCount: inspection.parameterCount,
    nonZeroParameterCount: inspection.nonZeroParameterCount,
    weightDtypes: inspection.weights.map((w) => w.storageDtype),
    fileSizeBytes: inspection.fileSizeBytes ?? null,
    weightStorageBytes: inspection.weightStorageBytes,
    outputUnits: inspection.outputShapes[0]?.at(-1) ?? null,
  };
}

/**
 * Datasets stay decoded between calls of one job (each fine-tuning step and the accuracy-aware
 * quantization reuse them); the two most recently used are kept.
 */
const datasets = new Map<string, Promise<Dataset>>();
const KEEP_DATASETS = 2;

function dataset(ref: DatasetRef, model: tf.LayersModel): Promise<Dataset> {
  const inputShape = modelInputShape(model);
  const key = `${ref.path}|${inputShape.join("x")}|${ref.task}`;
  let entry = datasets.get(key);
  if (entry) datasets.delete(key);
  else entry = loadCsvDataset(ref.path, { inputShape, task: ref.task });
  datasets.set(key, entry);
  entry.catch(() => datasets.delete(key));
  while (datasets.size > KEEP_DATASETS) {
    const [oldest, evicted] = datasets.entries().next().value as [string, Promise<Dataset>];
    datasets.delete(oldest);
    void evicted.then(disposeDataset, () => undefined);
  }
  return entry;
}

async function withModel<T>(path: string, use: (model: tf.LayersModel) => Promise<T>): Promise<T> {
  const model = await loadModel(path);
  try {
    return await use(model);
  } finally {
    model.dispose();
  }
}

const evaluate: Handler<"evaluate"> = (args) =>
  withModel(args.modelJsonPath, async (model) => ({
    facts: factsOf(model, args.modelJsonPath),
    evaluation: args.dataset
      ? await evaluateModel(model, await dataset(args.dataset, model), { task: args.dataset.task })
      : null,
  }));

const measure: Handler<"measure"> = (args) =>
  withModel(args.modelJsonPath, async (model) => {
    const facts = factsOf(model, args.modelJsonPath);
    const settings = { ...args.settings, modelJsonPath: args.modelJsonPath };
    if (!args.parentModelJsonPath) return { facts, cost: await measureCost(model, settings), paired: null };
    const parentPath = args.parentModelJsonPath;
    return withModel(parentPath, async (parent) => {
      const {
        candidate,
        parent: parentCost,
        comparison,
      } = await compareCost(model, parent, { ...settings, parentModelJsonPath: parentPath });
      return { facts, cost: candidate, paired: { parent: parentCost, comparison } };
    });
  });

const step: Handler<"applyStep"> = (args, ctx) =>
  withModel(args.modelJsonPath, (model) =>
    applyStep(args.step, model, {
      task: args.task,
      trainDataset: async () => dataset(required(args.train, "TRAIN"), model),
      evalDataset: async () => dataset(required(args.evaluation, "EVALUATION"), model),
      maxAccuracyDrop: args.maxAccuracyDrop,
      signal: ctx.signal,
      seed: args.seed,
      onProgress: ctx.progress,
    }),
  );

/** Thrown when a step needs a dataset the model does not have: the job fails with this message. */
export class MissingDataset extends Error {}

function required(ref: DatasetRef | null, role: "TRAIN" | "EVALUATION"): DatasetRef {
  if (!ref)
    throw new MissingDataset(`The model has no ${role} dataset: register one with registerDataset(role: ${role})`);
  return ref;
}

export const handlers: { [O in keyof Ops]: Handler<O> } = { evaluate, measure, applyStep: step };
