import {
  agreementWith,
  compareCost,
  disposeDataset,
  evaluateModel,
  initBackend,
  inspectModel,
  loadCsvDataset,
  loadCsvInputs,
  loadImageDataset,
  loadImageInputs,
  loadModel,
  measureCost,
  modelInputShape,
  type AnyDataset,
  type AnyInputSet,
  type tf,
} from "@costgate/ml";
import { applyStep } from "../features/apply-step.ts";
import type { DatasetRef, ModelFacts, Ops } from "./protocol.ts";

/** Runs in the TensorFlow child process: the operations of protocol.ts on model and dataset files. */

type Handler<O extends keyof Ops> = (args: Ops[O]["args"], ctx: CallContext) => Promise<Ops[O]["result"]>;

interface CallContext {
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
const datasets = new Map<string, Promise<AnyDataset | AnyInputSet>>();
const KEEP_DATASETS = 2;

function cached<D extends AnyDataset | AnyInputSet>(key: string, load: () => Promise<D>): Promise<D> {
  let entry = datasets.get(key) as Promise<D> | undefined;
  if (entry) datasets.delete(key);
  else entry = load();
  datasets.set(key, entry);
  entry.catch(() => datasets.delete(key));
  while (datasets.size > KEEP_DATASETS) {
    const [oldest, evicted] = datasets.entries().next().value as [string, Promise<AnyDataset | AnyInputSet>];
    datasets.delete(oldest);
    void evicted.then(disposeDataset, () => undefined);
  }
  return entry;
}

/** A labelled dataset: a CSV read into tensors, or decoded images read batch by batch. */
function dataset(ref: DatasetRef, model: tf.LayersModel): Promise<AnyDataset> {
  const inputShape = modelInputShape(model);
  const { preprocessing } = ref;
  return cached<AnyDataset>(`${ref.path}|${inputShape.join("x")}|${ref.task}|${JSON.stringify(preprocessing)}`, () =>
    ref.format === "images"
      ? loadImageDataset(ref.path, { inputShape, preprocessing })
      : loadCsvDataset(ref.path, { inputShape, task: ref.task }),
  );
}

/** The inputs of an UNLABELED dataset (no labels). */
function inputs(ref: DatasetRef, model: tf.LayersModel): Promise<AnyInputSet> {
  const inputShape = modelInputShape(model);
  const { preprocessing } = ref;
  return cached<AnyInputSet>(`${ref.path}|${inputShape.join("x")}|inputs|${JSON.stringify(preprocessing)}`, () =>
    ref.format === "images"
      ? loadImageInputs(ref.path, { inputShape, preprocessing })
      : loadCsvInputs(ref.path, { inputShape }),
  );
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
  withModel(args.modelJsonPath, async (model) => {
    const facts = factsOf(model, args.modelJsonPath);
    if (args.dataset)
      return {
        facts,
        evaluation: await evaluateModel(model, await dataset(args.dataset, model), { task: args.dataset.task }),
      };
    const agreement = args.agreement;
    if (!agreement) return { facts, evaluation: null };
    return withModel(agreement.referenceModelJsonPath, async (reference) => ({
      facts,
      evaluation: await agreementWith(model, reference, await inputs(agreement.inputs, model), {
        task: agreement.inputs.task,
      }),
    }));
  });

const measure: Handler<"measure"> = (args) =>
  withModel(args.modelJsonPath, async (model) => {
    const facts = factsOf(model, args.modelJsonPath);
    // The speed reference is timed in every measurement; normalised to this backend's calibration.
    const backend = await initBackend();
    const calibration = args.calibrations.find((c) => c.backend === backend) ?? null;
    const settings = {
      ...args.settings,
      modelJsonPath: args.modelJsonPath,
      speed: { calibratedThroughput: calibration?.referenceThroughputPerSecond ?? null },
    };
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
      // Labelled sets first (their metric is the one users read); an UNLABELED set by agreement.
      calibrationData: async () => {
        if (args.evaluation) return { role: "EVALUATION", data: await dataset(args.evaluation, model) };
        if (args.train) return { role: "TRAIN", data: await dataset(args.train, model) };
        if (args.unlabeled) return { role: "UNLABELED", data: await inputs(args.unlabeled, model) };
        throw new MissingDataset(
          "Accuracy-aware quantization needs calibration data and the model has no EVALUATION, TRAIN or UNLABELED dataset: register one with registerDataset",
        );
      },
      distillInputs: async () => {
        if (args.train) return { role: "TRAIN", inputs: await dataset(args.train, model) };
        if (args.unlabeled) return { role: "UNLABELED", inputs: await inputs(args.unlabeled, model) };
        throw new MissingDataset(
          "DISTILL needs inputs and the model has no TRAIN or UNLABELED dataset: register one with registerDataset(role: UNLABELED)",
        );
      },
      withTeacher: (use) => withModel(args.teacherModelJsonPath, use),
      teacherVersionId: args.teacherVersionId,
      maxAccuracyDrop: args.maxAccuracyDrop,
      signal: ctx.signal,
      seed: args.seed,
      ...(args.deadline === undefined ? {} : { deadline: args.deadline }),
      onProgress: ctx.progress,
    }),
  );

/** Thrown when a step needs a dataset the model does not have: the job fails with this message. */
export class MissingDataset extends Error {}

function required(ref: DatasetRef | null, role: "TRAIN"): DatasetRef {
  if (!ref)
    throw new MissingDataset(`The model has no ${role} dataset: register one with registerDataset(role: ${role})`);
  return ref;
}

export const handlers: { [O in keyof Ops]: Handler<O> } = { evaluate, measure, applyStep: step };
