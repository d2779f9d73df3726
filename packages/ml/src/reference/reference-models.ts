/**
 * The reference models: descriptors (REFERENCE_MODELS, IMAGE_REFERENCE_MODELS), their
 * architectures, their data and how each is trained. `generateReferenceModels` (generate.ts)
 * writes them to disk. The image models (MobileNetV2 on rendered shapes, image-models.ts) are
 * generated only when asked for: the full-size one trains for minutes.
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { initBackend } from "../backend.ts";
import { datasetFromArrays, type Dataset, type Task } from "../dataset.ts";
import { MlError } from "../errors.ts";
import { fineTune, type FineTuneResult } from "../finetune.ts";
import { toSeed } from "../random.ts";
import { tf } from "../tf.ts";
import {
  buildImageReferenceModel,
  IMAGE_MODEL_SPECS,
  IMAGE_ROWS,
  isImageReferenceModel,
  shapeImagesData,
  type ImageReferenceModelName,
} from "./image-models.ts";
import {
  digitsData,
  irisData,
  linearData,
  LINEAR_FEATURES,
  TABULAR_CLASSES,
  TABULAR_FEATURES,
  tabularData,
  type Split,
  type TabularData,
} from "./reference-data.ts";

/** The models `npm run reference` generates by default (small, seconds each). */
export type ReferenceModelName = "linear-regression" | "tabular-mlp" | "digits-cnn" | "iris-mlp";
export type { ImageReferenceModelName } from "./image-models.ts";
/** Every reference model: the default ones and the image models generated on request. */
export type AnyReferenceModelName = ReferenceModelName | ImageReferenceModelName;

export interface ReferenceModelDescriptor<N extends AnyReferenceModelName = AnyReferenceModelName> {
  name: N;
  description: string;
  task: Task;
  /** Shape of one input row (batch dimension dropped). */
  inputShape: number[];
  /** Classes (classification) or 1 (regression). */
  outputs: number;
  /** Paths relative to the generated directory. */
  files: { modelJson: string; train: string; evaluation: string };
  /** Rows written to the train and evaluation CSVs. */
  rows: { train: number; evaluation: number };
}

/** Where `npm run reference` writes (git-ignored). */
export const REFERENCE_DIR = fileURLToPath(new URL("../../reference/generated/", import.meta.url));
export const DEFAULT_REFERENCE_SEED = 1234;

const files = (name: string) => ({
  modelJson: `${name}/model/model.json`,
  train: `${name}/train.csv`,
  evaluation: `${name}/evaluation.csv`,
});

export const REFERENCE_MODELS: readonly ReferenceModelDescriptor<ReferenceModelName>[] = [
  {
    name: "linear-regression",
    description: "the seed problem: linear regression 10 -> 1 on y = w.x + b + noise",
    task: "regression",
    inputShape: [LINEAR_FEATURES],
    outputs: 1,
    files: files("linear-regression"),
    rows: { train: 2000, evaluation: 500 },
  },
  {
    name: "tabular-mlp",
    description: "MLP 40-256-128-10 on Gaussian clusters seen through a random non-linear map",
    task: "classification",
    inputShape: [TABULAR_FEATURES],
    outputs: TABULAR_CLASSES,
    files: files("tabular-mlp"),
    rows: { train: 4000, evaluation: 1000 },
  },
  {
    name: "digits-cnn",
    description: "CNN (conv 32, conv 64, dense 64) on procedurally rendered 28x28 digits",
    task: "classification",
    inputShape: [28, 28, 1],
    outputs: 10,
    files: files("digits-cnn"),
    rows: { train: 3000, evaluation: 1000 },
  },
  {
    name: "iris-mlp",
    description: "MLP 4-16-3 on the real iris flower data",
    task: "classification",
    inputShape: [4],
    outputs: 3,
    files: files("iris-mlp"),
    rows: { train: 105, evaluation: 45 },
  },
];

const imageDescriptor = (
  name: ImageReferenceModelName,
  description: string,
): ReferenceModelDescriptor<ImageReferenceModelName> => {
  const { size } = IMAGE_MODEL_SPECS[name];
  return {
    name,
    description,
    task: "classification",
    inputShape: [size, size, 3],
    outputs: IMAGE_MODEL_SPECS[name].classes,
    files: files(name),
    rows: IMAGE_ROWS[name],
  };
};

/** Generated only when asked for (`--only <name>` or `--with-large`). */
export const IMAGE_REFERENCE_MODELS: readonly ReferenceModelDescriptor<ImageReferenceModelName>[] = [
  imageDescriptor("mobilenet-v2-small", "MobileNetV2 (alpha 0.35, 64x64x3) on rendered colour shapes, 6 classes"),
  imageDescriptor(
    "mobilenet-v2",
    "MobileNetV2 (alpha 1.0, 224x224x3, 2.3 M parameters) on rendered colour shapes, 6 classes",
  ),
];

export const ALL_REFERENCE_MODELS: readonly ReferenceModelDescriptor[] = [
  ...REFERENCE_MODELS,
  ...IMAGE_REFERENCE_MODELS,
];

export function referenceDescriptor<N extends AnyReferenceModelName>(name: N): ReferenceModelDescriptor<N>;
export function referenceDescriptor(name: string): ReferenceModelDescriptor;
export function referenceDescriptor(name: string): ReferenceModelDescriptor {
  const d = ALL_REFERENCE_MODELS.find((m) => m.name === name);
  if (!d) {
    throw new MlError(
      "BAD_PARAM",
      `no reference model "${name}"; known: ${ALL_REFERENCE_MODELS.map((m) => m.name).join(", ")}`,
    );
  }
  return d;
}

/** Absolute paths of a reference model's files under `baseDir` (default REFERENCE_DIR). */
export function referencePaths(
  name: AnyReferenceModelName,
  baseDir = REFERENCE_DIR,
): ReferenceModelDescriptor["files"] {
  const f = referenceDescriptor(name).files;
  return {
    modelJson: join(baseDir, f.modelJson),
    train: join(baseDir, f.train),
    evaluation: join(baseDir, f.evaluation),
  };
}

/** Training recipe of each reference model (SGD with momentum through fineTune). */
/**
 * Image models: an SGD recipe for fineTune after pruning (their own training from scratch is
 * IMAGE_TRAINING, with Adam).
 */
export const TRAINING: Record<
  AnyReferenceModelName,
  { learningRate: number; momentum: number; epochs: number; batchSize: number }
> = {
  "linear-regression": { learningRate: 0.02, momentum: 0.9, epochs: 8, batchSize: 32 },
  "tabular-mlp": { learningRate: 0.05, momentum: 0.9, epochs: 8, batchSize: 64 },
  "digits-cnn": { learningRate: 0.05, momentum: 0.9, epochs: 2, batchSize: 64 },
  "iris-mlp": { learningRate: 0.01, momentum: 0.9, epochs: 120, batchSize: 16 },
  "mobilenet-v2-small": { learningRate: 0.002, momentum: 0.9, epochs: 1, batchSize: 32 },
  "mobilenet-v2": { learningRate: 0.002, momentum: 0.9, epochs: 1, batchSize: 4 }, // batch 8 at 224x224 exhausts wasm's memory
};

/** The architecture of a reference model with seeded initial weights (untrained). */
export function buildReferenceModel(name: ReferenceModelName, seed?: number | string): tf.Sequential;
export function buildReferenceModel(name: AnyReferenceModelName, seed?: number | string): tf.LayersModel;
export function buildReferenceModel(
  name: AnyReferenceModelName,
  seed: number | string = DEFAULT_REFERENCE_SEED,
): tf.LayersModel {
  if (isImageReferenceModel(name)) return buildImageReferenceModel(name, seed);
  const d = referenceDescriptor(name);
  let k = toSeed(`${String(seed)}:${name}:init`) % 1_000_000;
  const init = () => tf.initializers.glorotUniform({ seed: k++ });
  const he = () => tf.initializers.heNormal({ seed: k++ });
  const m = tf.sequential({ name: name.replace(/-/g, "_") });
  switch (name) {
    case "linear-regression":
      m.add(tf.layers.dense({ inputShape: d.inputShape, units: 1, kernelInitializer: init(), name: "linear" }));
      break;
    case "tabular-mlp":
      m.add(
        tf.layers.dense({
          inputShape: d.inputShape,
          units: 256,
          activation: "relu",
          kernelInitializer: he(),
          name: "hidden1",
        }),
      );
      m.add(tf.layers.dense({ units: 128, activation: "relu", kernelInitializer: he(), name: "hidden2" }));
      m.add(tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: init(), name: "classes" }));
      break;
    case "digits-cnn":
      m.add(
        tf.layers.conv2d({
          inputShape: d.inputShape,
          filters: 32,
          kernelSize: 3,
          activation: "relu",
          kernelInitializer: he(),
          name: "conv1",
        }),
      );
      m.add(tf.layers.maxPooling2d({ poolSize: 2, name: "pool1" }));
      m.add(
        tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu", kernelInitializer: he(), name: "conv2" }),
      );
      m.add(tf.layers.maxPooling2d({ poolSize: 2, name: "pool2" }));
      m.add(tf.layers.flatten({ name: "flatten" }));
      m.add(tf.layers.dense({ units: 64, activation: "relu", kernelInitializer: he(), name: "dense" }));
      m.add(tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: init(), name: "classes" }));
      break;
    case "iris-mlp":
      m.add(
        tf.layers.dense({
          inputShape: d.inputShape,
          units: 16,
          activation: "relu",
          kernelInitializer: he(),
          name: "hidden",
        }),
      );
      m.add(tf.layers.dense({ units: 3, activation: "softmax", kernelInitializer: init(), name: "classes" }));
      break;
  }
  return m;
}

/** The rows of a reference problem (deterministic in `seed`). */
export function referenceData(name: AnyReferenceModelName, seed: number, split: Split, rows?: number): TabularData {
  const d = referenceDescriptor(name);
  const n = rows ?? d.rows[split];
  if (isImageReferenceModel(name)) {
    const { size } = IMAGE_MODEL_SPECS[name];
    return { ...shapeImagesData(seed, split, n, size), featureCount: size * size * 3 };
  }
  switch (name) {
    case "linear-regression":
      return linearData(seed, split, n);
    case "tabular-mlp":
      return tabularData(seed, split, n);
    case "digits-cnn":
      return digitsData(seed, split, n);
    case "iris-mlp": {
      const all = irisData(seed, split);
      if (rows === undefined || rows >= all.labels.length) return all;
      return { ...all, features: all.features.slice(0, rows * 4), labels: all.labels.slice(0, rows) };
    }
  }
}

/** A reference problem's rows as a Dataset shaped for its model. */
async function referenceDataset(
  name: AnyReferenceModelName,
  seed: number,
  split: Split,
  rows?: number,
): Promise<Dataset> {
  const d = referenceDescriptor(name);
  const data = referenceData(name, seed, split, rows);
  return datasetFromArrays(data.features, data.labels, { inputShape: d.inputShape, task: d.task });
}

export interface TrainedReference {
  model: tf.Sequential;
  train: Dataset;
  evaluation: Dataset;
  result: FineTuneResult;
}

/**
 * Builds and trains a reference model in memory. `rows`/`epochs` shrink it for quick tests;
 * the caller disposes the model and both datasets.
 */
export async function trainReferenceModel(
  name: ReferenceModelName,
  seed: number = DEFAULT_REFERENCE_SEED,
  opts: { trainRows?: number; evaluationRows?: number; epochs?: number; signal?: AbortSignal } = {},
): Promise<TrainedReference> {
  await initBackend();
  const d = referenceDescriptor(name);
  const train = await referenceDataset(name, seed, "train", opts.trainRows);
  const evaluation = await referenceDataset(name, seed, "evaluation", opts.evaluationRows);
  const model = buildReferenceModel(name, seed);
  const recipe = TRAINING[name];
  const result = await fineTune(model, train, {
    task: d.task,
    ...recipe,
    epochs: opts.epochs ?? recipe.epochs,
    seed,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return { model, train, evaluation, result };
}
