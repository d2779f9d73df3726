/**
 * Writes the reference models, each with a TRAIN and an EVALUATION CSV, under one directory:
 *   <outDir>/<name>/model/model.json + weight shards
 *   <outDir>/<name>/train.csv, evaluation.csv
 *   <outDir>/<name>/images/train.zip, evaluation.zip, unlabeled.zip   image models: the same images as
 *     PNGs in label folders (and unlabeled ones at the top level), as image datasets are uploaded
 *   <outDir>/manifest.json   seed, backend, metric of each model on its evaluation set
 * Deterministic in the seed (same backend, same files). By default the models of
 * REFERENCE_MODELS; the image models (IMAGE_REFERENCE_MODELS) with `only` or `withLarge`.
 */
import { access, mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { initBackend, type BackendName } from "../backend.ts";
import { datasetFromArrays, disposeDataset, writeCsvDataset } from "../dataset.ts";
import { MlError } from "../errors.ts";
import { evaluateModel } from "../evaluate.ts";
import { fineTune } from "../finetune.ts";
import { inspectModel } from "../inspect.ts";
import { saveModel } from "../model-io.ts";
import { tf } from "../tf.ts";
import { writeImageCsv } from "./image-csv.ts";
import {
  IMAGE_MODEL_SPECS,
  isImageReferenceModel,
  shapeImagesDataset,
  trainImageReferenceModel,
  type ImageReferenceModelName,
  type ImageTrainingPhase,
} from "./image-models.ts";
import {
  ALL_REFERENCE_MODELS,
  buildReferenceModel,
  DEFAULT_REFERENCE_SEED,
  IMAGE_REFERENCE_MODELS,
  REFERENCE_DIR,
  REFERENCE_MODELS,
  referenceData,
  referenceDescriptor,
  referencePaths,
  TRAINING,
  type AnyReferenceModelName,
  type ReferenceModelDescriptor,
  type ReferenceModelName,
} from "./reference-models.ts";
import { writeImageZip } from "./image-zip.ts";
import { SHAPE_CLASSES, shapeImage } from "./shape-images.ts";

interface GeneratedImageTraining {
  alpha: number;
  /** Each phase: `images` training images at size x size for `epochs` epochs. */
  phases: {
    size: number;
    images: number;
    epochs: number;
    batchSize: number;
    learningRate: number;
    seconds: number;
    trainAccuracy: number;
  }[];
  /** Training images seen over all phases and epochs. */
  imagesSeen: number;
}

interface GeneratedReference {
  name: AnyReferenceModelName;
  task: "classification" | "regression";
  metric: "accuracy" | "mse";
  /** Metric on the evaluation CSV. */
  value: number;
  loss: number;
  trainRows: number;
  evaluationRows: number;
  epochs: number;
  trainSeconds: number;
  modelBytes: number;
  /** inspectModel: all weights (BatchNorm statistics included) and multiply-accumulates per inference. */
  parameters: number;
  macs: number;
  /** Bytes of the CSVs. */
  csvBytes: { train: number; evaluation: number };
  /** Image models: how they were trained (train.csv holds the first `trainRows` training images). */
  imageTraining?: GeneratedImageTraining;
  /** Absolute paths. */
  files: { modelJson: string; train: string; evaluation: string };
  /** Image models: zips of PNGs (absolute paths), label folders named by classNames; unlabeled at the top level. */
  images?: { train: string; evaluation: string; unlabeled: string };
  /** Image models: output index i is classNames[i] (the label folders' names). */
  classNames?: string[];
}

export interface ReferenceManifest {
  seed: number;
  backend: BackendName;
  tfjsVersion: string;
  generatedAt: string;
  seconds: number;
  models: GeneratedReference[];
}

export interface GenerateOptions {
  seed?: number;
  /** These models only (any of ALL_REFERENCE_MODELS). */
  only?: AnyReferenceModelName[];
  /** Without `only`: the image models (MobileNetV2, minutes) too. */
  withLarge?: boolean;
  /** Image models: other training phases and CSV rows than the recipe's (quick runs, tests). */
  imageRecipe?: Partial<
    Record<
      ImageReferenceModelName,
      { phases?: readonly ImageTrainingPhase[]; rows?: { train: number; evaluation: number } }
    >
  >;
  log?: (line: string) => void;
}

const CSV_DIGITS: Record<ReferenceModelName, number> = {
  "linear-regression": 5,
  "tabular-mlp": 4,
  "digits-cnn": 2,
  "iris-mlp": 1,
};

const MANIFEST_FILE = "manifest.json";

export async function generateReferenceModels(
  outDir: string = REFERENCE_DIR,
  opts: GenerateOptions = {},
): Promise<ReferenceManifest> {
  const seed = opts.seed ?? DEFAULT_REFERENCE_SEED;
  if (!Number.isInteger(seed)) throw new MlError("BAD_PARAM", `seed must be an integer, got ${String(opts.seed)}`);
  const dir = resolve(outDir);
  const log = opts.log ?? (() => undefined);
  const backend = await initBackend();
  const started = performance.now();
  const models: GeneratedReference[] = [];
  const selected = opts.only
    ? opts.only.map((n) => referenceDescriptor(n))
    : [...REFERENCE_MODELS, ...(opts.withLarge ? IMAGE_REFERENCE_MODELS : [])];
  for (const d of ALL_REFERENCE_MODELS.filter((m) => selected.includes(m))) {
    if (isImageReferenceModel(d.name)) {
      const recipe = opts.imageRecipe?.[d.name];
      const desc = d as ReferenceModelDescriptor<ImageReferenceModelName>;
      models.push(
        await generateImageReference(
          recipe?.rows ? { ...desc, rows: recipe.rows } : desc,
          dir,
          seed,
          log,
          recipe?.phases,
        ),
      );
      continue;
    }
    const name = d.name as ReferenceModelName;
    const t0 = performance.now();
    const paths = referencePaths(d.name, dir);
    const train = referenceData(d.name, seed, "train");
    const evaluation = referenceData(d.name, seed, "evaluation");
    const csv = {
      featureCount: train.featureCount,
      digits: CSV_DIGITS[name],
      ...(train.columns ? { columns: train.columns } : {}),
    };
    await mkdir(join(dir, d.name), { recursive: true });
    const trainCsv = await writeCsvDataset(paths.train, train.features, train.labels, csv);
    const evaluationCsv = await writeCsvDataset(paths.evaluation, evaluation.features, evaluation.labels, csv);

    const trainDs = await datasetFromArrays(train.features, train.labels, { inputShape: d.inputShape, task: d.task });
    const evalDs = await datasetFromArrays(evaluation.features, evaluation.labels, {
      inputShape: d.inputShape,
      task: d.task,
    });
    const model = buildReferenceModel(name, seed);
    try {
      const t1 = performance.now();
      const recipe = TRAINING[name];
      await fineTune(model, trainDs, { task: d.task, ...recipe, seed });
      const trainSeconds = (performance.now() - t1) / 1000;
      const ev = await evaluateModel(model, evalDs, { task: d.task });
      const saved = await saveModel(model, join(dir, d.name, "model"));
      models.push({
        name: d.name,
        task: d.task,
        metric: ev.metric,
        value: ev.value,
        loss: ev.loss,
        trainRows: train.labels.length,
        evaluationRows: evaluation.labels.length,
        epochs: recipe.epochs,
        trainSeconds,
        modelBytes: saved.totalBytes,
        ...modelSize(model),
        csvBytes: { train: trainCsv.bytes, evaluation: evaluationCsv.bytes },
        files: paths,
      });
      log(
        `${d.name.padEnd(18)} ${ev.metric} ${ev.value.toFixed(4)}  trained in ${trainSeconds.toFixed(1)} s ` +
          `(${recipe.epochs} epochs, ${train.labels.length} rows), total ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    } finally {
      model.dispose();
      disposeDataset(trainDs);
      disposeDataset(evalDs);
    }
  }
  // a partial run (only) keeps the other models of an earlier run with the same seed
  const previous = opts.only ? await readReferenceManifest(dir) : null;
  const kept =
    previous && previous.seed === seed ? previous.models.filter((m) => !models.some((n) => n.name === m.name)) : [];
  const order = ALL_REFERENCE_MODELS.map((d) => d.name as string);
  const manifest: ReferenceManifest = {
    seed,
    backend,
    tfjsVersion: tf.version_core,
    generatedAt: new Date().toISOString(),
    seconds: (performance.now() - started) / 1000,
    models: [...kept, ...models].sort((x, y) => order.indexOf(x.name) - order.indexOf(y.name)),
  };
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function modelSize(model: tf.LayersModel): { parameters: number; macs: number } {
  const i = inspectModel(model);
  return { parameters: i.parameterCount, macs: i.macs };
}

/**
 * An image model: both CSVs streamed to disk as the images are rendered, then training (its
 * phases, image-models.ts), evaluation on the evaluation images and the save.
 */
async function generateImageReference(
  d: ReferenceModelDescriptor<ImageReferenceModelName>,
  dir: string,
  seed: number,
  log: (line: string) => void,
  phases?: readonly ImageTrainingPhase[],
): Promise<GeneratedReference> {
  const t0 = performance.now();
  const spec = IMAGE_MODEL_SPECS[d.name];
  const paths = referencePaths(d.name, dir);
  const features = spec.size * spec.size * 3;
  await mkdir(join(dir, d.name), { recursive: true });
  const trainCsv = await writeImageCsv(paths.train, d.rows.train, features, (i) =>
    shapeImage(seed, "train", i, spec.size),
  );
  const evaluationCsv = await writeImageCsv(paths.evaluation, d.rows.evaluation, features, (i) =>
    shapeImage(seed, "evaluation", i, spec.size),
  );
  const images = {
    train: join(dir, d.name, "images", "train.zip"),
    evaluation: join(dir, d.name, "images", "evaluation.zip"),
    unlabeled: join(dir, d.name, "images", "unlabeled.zip"),
  };
  const render = (split: string) => (i: number) => shapeImage(seed, split, i, spec.size);
  await writeImageZip(images.train, d.rows.train, render("train"), SHAPE_CLASSES);
  await writeImageZip(images.evaluation, d.rows.evaluation, render("evaluation"), SHAPE_CLASSES);
  await writeImageZip(images.unlabeled, d.rows.evaluation, render("unlabeled"), null);
  log(
    `${d.name.padEnd(18)} CSVs and image zips written: train ${d.rows.train} rows (${(trainCsv.bytes / 2 ** 20).toFixed(1)} MiB), ` +
      `evaluation ${d.rows.evaluation} rows (${(evaluationCsv.bytes / 2 ** 20).toFixed(1)} MiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const t1 = performance.now();
  const { model, training } = await trainImageReferenceModel(d.name, seed, {
    log: (line) => log(`  ${line}`),
    ...(phases ? { phases } : {}),
  });
  const trainSeconds = (performance.now() - t1) / 1000;
  const evalDs = await shapeImagesDataset(seed, "evaluation", d.rows.evaluation, spec.size);
  try {
    const ev = await evaluateModel(model, evalDs, { task: "classification", batchSize: 16 });
    const saved = await saveModel(model, join(dir, d.name, "model"));
    const last = training.phases.at(-1)!;
    log(
      `${d.name.padEnd(18)} ${ev.metric} ${ev.value.toFixed(4)} on ${d.rows.evaluation} evaluation images (chance ${(1 / spec.classes).toFixed(3)}); ` +
        `trained in ${trainSeconds.toFixed(1)} s, total ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    return {
      name: d.name,
      task: "classification",
      metric: ev.metric,
      value: ev.value,
      loss: ev.loss,
      trainRows: d.rows.train,
      evaluationRows: d.rows.evaluation,
      epochs: last.epochs,
      trainSeconds,
      modelBytes: saved.totalBytes,
      ...modelSize(model),
      csvBytes: { train: trainCsv.bytes, evaluation: evaluationCsv.bytes },
      imageTraining: {
        alpha: spec.alpha,
        phases: training.phases.map((p) => ({
          size: p.size,
          images: p.images,
          epochs: p.result.epochsRun,
          batchSize: p.batchSize,
          learningRate: p.learningRate,
          seconds: p.seconds,
          trainAccuracy: p.result.history.at(-1)?.trainAccuracy ?? Number.NaN,
        })),
        imagesSeen: training.imagesSeen,
      },
      files: paths,
      images,
      classNames: [...SHAPE_CLASSES],
    };
  } finally {
    model.dispose();
    disposeDataset(evalDs);
  }
}

/** Reads <outDir>/manifest.json, or null when absent or unreadable. */
async function readReferenceManifest(outDir: string = REFERENCE_DIR): Promise<ReferenceManifest | null> {
  try {
    return JSON.parse(await readFile(join(resolve(outDir), MANIFEST_FILE), "utf8")) as ReferenceManifest;
  } catch {
    return null;
  }
}

/**
 * The reference models generated with `seed` under `outDir` (all of them, or `only` these),
 * generating the missing ones first (absent, generated with another seed, or with files gone).
 */
export async function ensureReferenceModels(
  outDir: string = REFERENCE_DIR,
  opts: GenerateOptions = {},
): Promise<ReferenceManifest> {
  const seed = opts.seed ?? DEFAULT_REFERENCE_SEED;
  const wanted =
    opts.only ?? [...REFERENCE_MODELS, ...(opts.withLarge ? IMAGE_REFERENCE_MODELS : [])].map((d) => d.name);
  const existing = await readReferenceManifest(outDir);
  const sameSeed = existing !== null && existing.seed === seed;
  const missing: AnyReferenceModelName[] = [];
  for (const name of wanted) {
    const entry = sameSeed ? existing.models.find((m) => m.name === name) : undefined;
    const files = [...Object.values(referencePaths(name, resolve(outDir))), ...Object.values(entry?.images ?? {})];
    const present = entry
      ? (
          await Promise.all(
            files.map((p) =>
              access(p).then(
                () => true,
                () => false,
              ),
            ),
          )
        ).every(Boolean)
      : false;
    if (!present) missing.push(name);
  }
  if (missing.length === 0 && existing) return existing;
  return generateReferenceModels(outDir, { ...opts, seed, only: missing });
}
