/**
 * Writes the reference models, each with a TRAIN and an EVALUATION CSV, under one directory:
 *   <outDir>/<name>/model/model.json + weight shards
 *   <outDir>/<name>/train.csv, evaluation.csv
 *   <outDir>/manifest.json   seed, backend, metric of each model on its evaluation set
 * Deterministic in the seed (same backend, same files).
 */
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { initBackend, type BackendName } from '../backend.ts';
import { datasetFromArrays, disposeDataset, writeCsvDataset } from '../dataset.ts';
import { MlError } from '../errors.ts';
import { evaluateModel } from '../evaluate.ts';
import { fineTune } from '../finetune.ts';
import { saveModel } from '../model-io.ts';
import { tf } from '../tf.ts';
import {
  buildReferenceModel,
  DEFAULT_REFERENCE_SEED,
  REFERENCE_DIR,
  REFERENCE_MODELS,
  referenceData,
  referencePaths,
  TRAINING,
  type ReferenceModelName,
} from './reference-models.ts';

export interface GeneratedReference {
  name: ReferenceModelName;
  task: 'classification' | 'regression';
  metric: 'accuracy' | 'mse';
  /** Metric on the evaluation CSV. */
  value: number;
  loss: number;
  trainRows: number;
  evaluationRows: number;
  epochs: number;
  trainSeconds: number;
  modelBytes: number;
  /** Absolute paths. */
  files: { modelJson: string; train: string; evaluation: string };
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
  only?: ReferenceModelName[];
  log?: (line: string) => void;
}

const CSV_DIGITS: Record<ReferenceModelName, number> = {
  'linear-regression': 5,
  'tabular-mlp': 4,
  'digits-cnn': 2,
  'iris-mlp': 1,
};

export const MANIFEST_FILE = 'manifest.json';

export async function generateReferenceModels(outDir: string = REFERENCE_DIR, opts: GenerateOptions = {}): Promise<ReferenceManifest> {
  const seed = opts.seed ?? DEFAULT_REFERENCE_SEED;
  if (!Number.isInteger(seed)) throw new MlError('BAD_PARAM', `seed must be an integer, got ${String(opts.seed)}`);
  const dir = resolve(outDir);
  const log = opts.log ?? (() => undefined);
  const backend = await initBackend();
  const started = performance.now();
  const models: GeneratedReference[] = [];
  for (const d of REFERENCE_MODELS) {
    if (opts.only && !opts.only.includes(d.name)) continue;
    const t0 = performance.now();
    const paths = referencePaths(d.name, dir);
    const train = referenceData(d.name, seed, 'train');
    const evaluation = referenceData(d.name, seed, 'evaluation');
    const csv = { featureCount: train.featureCount, digits: CSV_DIGITS[d.name], ...(train.columns ? { columns: train.columns } : {}) };
    await mkdir(join(dir, d.name), { recursive: true });
    await writeCsvDataset(paths.train, train.features, train.labels, csv);
    await writeCsvDataset(paths.evaluation, evaluation.features, evaluation.labels, csv);

    const trainDs = await datasetFromArrays(train.features, train.labels, { inputShape: d.inputShape, task: d.task });
    const evalDs = await datasetFromArrays(evaluation.features, evaluation.labels, { inputShape: d.inputShape, task: d.task });
    const model = buildReferenceModel(d.name, seed);
    try {
      const t1 = performance.now();
      const recipe = TRAINING[d.name];
      await fineTune(model, trainDs, { task: d.task, ...recipe, seed });
      const trainSeconds = (performance.now() - t1) / 1000;
      const ev = await evaluateModel(model, evalDs, { task: d.task });
      const saved = await saveModel(model, join(dir, d.name, 'model'));
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
  const kept = previous && previous.seed === seed ? previous.models.filter((m) => !models.some((n) => n.name === m.name)) : [];
  const order = REFERENCE_MODELS.map((d) => d.name as string);
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

/** Reads <outDir>/manifest.json, or null when absent or unreadable. */
export async function readReferenceManifest(outDir: string = REFERENCE_DIR): Promise<ReferenceManifest | null> {
  try {
    return JSON.parse(await readFile(join(resolve(outDir), MANIFEST_FILE), 'utf8')) as ReferenceManifest;
  } catch {
    return null;
  }
}

/**
 * The reference models generated with `seed` under `outDir` (all of them, or `only` these),
 * generating the missing ones first (absent, generated with another seed, or with files gone).
 */
export async function ensureReferenceModels(outDir: string = REFERENCE_DIR, opts: GenerateOptions = {}): Promise<ReferenceManifest> {
  const seed = opts.seed ?? DEFAULT_REFERENCE_SEED;
  const wanted = opts.only ?? REFERENCE_MODELS.map((d) => d.name);
  const existing = await readReferenceManifest(outDir);
  const sameSeed = existing !== null && existing.seed === seed;
  const missing: ReferenceModelName[] = [];
  for (const name of wanted) {
    const entry = sameSeed ? existing.models.find((m) => m.name === name) : undefined;
    const files = Object.values(referencePaths(name, resolve(outDir)));
    const present = entry ? (await Promise.all(files.map((p) => access(p).then(() => true, () => false)))).every(Boolean) : false;
    if (!present) missing.push(name);
  }
  if (missing.length === 0 && existing) return existing;
  return generateReferenceModels(outDir, { ...opts, seed, only: missing });
}
