/**
 * Loading and saving tfjs LayersModels on the local file system, without @tensorflow/tfjs-node.
 *
 * Layout (what tfjs's own `file://` and `downloads://` handlers write):
 *   <dir>/model.json              { modelTopology, weightsManifest: [{ paths, weights }], ... }
 *   <dir>/group1-shard1ofN.bin    the weight bytes, concatenated in manifest order, cut in shards
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import {
  checkGroupBytes,
  checkModelJson,
  checkWeightSpec,
  parseModelJson,
  type CheckedModelJson,
} from "@costgate/formats";
import { initBackend } from "./backend.ts";
import { describeError, formatChecked, MlError } from "./errors.ts";
import { tf } from "./tf.ts";

export const MODEL_JSON = "model.json";
const DEFAULT_SHARD_SIZE_BYTES = 4 * 1024 * 1024;

interface SavedFile {
  /** File name inside the model directory. */
  name: string;
  /** Absolute path. */
  path: string;
  bytes: number;
}

export interface SavedModelFiles {
  dir: string;
  modelJsonPath: string;
  /** model.json first, then the weight shards in order. */
  files: SavedFile[];
  totalBytes: number;
  weightBytes: number;
}

export interface WriteOptions {
  /** Maximum bytes per weight shard (default 4 MiB). */
  shardSizeBytes?: number;
}

type Entry = tf.io.WeightsManifestEntry;

function modelJsonPathOf(pathOrDir: string): string {
  return pathOrDir.endsWith(".json") ? resolve(pathOrDir) : resolve(pathOrDir, MODEL_JSON);
}

/**
 * Checks model.json content by the rules of @costgate/formats, the ones the API checks uploads
 * by (so what an upload passes, this loads): its weights, manifest paths and topology. `source`
 * is the file's name. Refusals are NOT_A_LAYERS_MODEL.
 */
function checkedModelJson(json: unknown, source: string): CheckedModelJson {
  return formatChecked(() => checkModelJson(json, source));
}

async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT")
      throw new MlError("MODEL_FILE_MISSING", `no model file at ${path}`);
    if ((e as NodeJS.ErrnoException).code === "EISDIR")
      throw new MlError("MODEL_FILE_MISSING", `${path} is a directory, not a model.json`);
    throw new MlError("IO_ERROR", `cannot read ${path}: ${describeError(e)}`, { cause: e });
  }
  return formatChecked(() => parseModelJson(text, basename(path)));
}

/**
 * Reads model.json and every weight shard its weightsManifest names (any number of groups and
 * shards; quantized manifests are kept as they are: tfjs decodes them at load).
 */
export async function readModelArtifacts(modelJsonPath: string): Promise<tf.io.ModelArtifacts> {
  const path = modelJsonPathOf(modelJsonPath);
  const source = basename(path);
  const model = checkedModelJson(await readJsonFile(path), source);
  const modelDir = dirname(path);
  return tf.io.getModelArtifactsForJSON(model.json as unknown as tf.io.ModelJSON, async (manifest) => {
    const specs: Entry[] = [];
    const parts: Uint8Array[] = [];
    let total = 0;
    for (const [g, group] of model.groups.entries()) {
      let have = 0;
      for (const p of group.paths) {
        const file = join(modelDir, p);
        let buf: Buffer;
        try {
          buf = await readFile(file);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === "ENOENT") {
            throw new MlError("MODEL_FILE_MISSING", `weight file "${p}" named by ${source} is missing`);
          }
          throw new MlError("IO_ERROR", `cannot read weight file ${file}: ${describeError(e)}`, { cause: e });
        }
        parts.push(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
        have += buf.byteLength;
      }
      formatChecked(() => checkGroupBytes(group, g, have), `${source}: `);
      specs.push(...manifest[g]!.weights);
      total += have;
    }
    const data = new Uint8Array(total);
    let offset = 0;
    for (const part of parts) {
      data.set(part, offset);
      offset += part.byteLength;
    }
    return [specs, data.buffer];
  });
}

/**
 * Builds a LayersModel from artifacts; tfjs's refusals become NOT_A_LAYERS_MODEL errors.
 * Unlike tf.loadLayersModel, a refusal leaks no tensors (tfjs leaves the half-built model's
 * variables and the decoded weights behind when a weight does not fit).
 */
export async function modelFromArtifacts(artifacts: tf.io.ModelArtifacts, source = "model"): Promise<tf.LayersModel> {
  await initBackend();
  const fail = (e: unknown): MlError =>
    e instanceof MlError
      ? e
      : new MlError("NOT_A_LAYERS_MODEL", `${source} could not be loaded as a LayersModel: ${describeError(e)}`, {
          cause: e,
        });
  const variablesBefore = new Set(Object.keys(tf.engine().registeredVariables));
  const disposeNewVariables = () => {
    for (const [name, v] of Object.entries(tf.engine().registeredVariables)) {
      if (!variablesBefore.has(name)) v.dispose();
    }
  };
  const { weightData, weightSpecs, ...topology } = artifacts;
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory(topology));
  } catch (e) {
    disposeNewVariables();
    throw fail(e);
  }
  let decoded: tf.NamedTensorMap = {};
  try {
    if (weightSpecs && weightData) decoded = tf.io.decodeWeights(weightData, weightSpecs);
    const optimizerWeights = new Set((weightSpecs ?? []).filter((s) => s.group === "optimizer").map((s) => s.name));
    const modelWeights: tf.NamedTensorMap = {};
    for (const [name, t] of Object.entries(decoded)) if (!optimizerWeights.has(name)) modelWeights[name] = t;
    model.loadWeights(modelWeights, true);
  } catch (e) {
    model.dispose();
    disposeNewVariables();
    throw fail(e);
  } finally {
    tf.dispose(Object.values(decoded));
  }
  return model;
}

/** Loads a LayersModel from a model.json path (or its directory) and the shards it names. */
export async function loadModel(modelJsonPath: string): Promise<tf.LayersModel> {
  const artifacts = await readModelArtifacts(modelJsonPath);
  return modelFromArtifacts(artifacts, modelJsonPathOf(modelJsonPath));
}

function joinWeightData(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const buffers = Array.isArray(data) ? data : [data];
  const total = buffers.reduce((a, b) => a + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out;
}

const MODEL_FILE_RE = /^(model\.json|group\d+-shard\d+of\d+(\.bin)?)$/;

async function existingEntries(dir: string): Promise<string[] | null> {
  try {
    return await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    if ((e as NodeJS.ErrnoException).code === "ENOTDIR") {
      throw new MlError("BAD_PARAM", `${dir} exists and is not a directory`);
    }
    throw new MlError("IO_ERROR", `cannot read ${dir}: ${describeError(e)}`, { cause: e });
  }
}

/**
 * Writes model.json and weight shards (`group1-shard{i}of{N}.bin`, at most `shardSizeBytes` each)
 * exactly as given (weight specs, quantization included, are written untouched).
 *
 * Atomic: everything is written to a temporary sibling directory that is then renamed to `dir`.
 * An existing `dir` is replaced only when it holds nothing but model files (model.json, shards).
 */
export async function writeModelArtifacts(
  dir: string,
  artifacts: tf.io.ModelArtifacts,
  opts: WriteOptions = {},
): Promise<SavedModelFiles> {
  const shardSize = opts.shardSizeBytes ?? DEFAULT_SHARD_SIZE_BYTES;
  if (!Number.isInteger(shardSize) || shardSize < 1) {
    throw new MlError("BAD_PARAM", `shardSizeBytes must be a positive integer, got ${String(opts.shardSizeBytes)}`);
  }
  const { modelTopology } = artifacts;
  if (modelTopology === undefined || modelTopology instanceof ArrayBuffer) {
    throw new MlError("NOT_A_LAYERS_MODEL", "artifacts have no JSON modelTopology: only LayersModels can be written");
  }
  const specs = artifacts.weightSpecs ?? [];
  const need = specs.reduce((a, w, i) => a + formatChecked(() => checkWeightSpec(w, `weightSpecs[${i}]`)).bytes, 0);
  const data = joinWeightData(artifacts.weightData);
  if (need !== data.byteLength) {
    throw new MlError(
      "WEIGHTS_MISMATCH",
      `weightData has ${data.byteLength} bytes but the ${specs.length} weightSpecs need ${need} bytes`,
    );
  }

  const target = resolve(dir);
  const existing = await existingEntries(target);
  const foreign = (existing ?? []).filter((f) => !MODEL_FILE_RE.test(f));
  if (foreign.length > 0) {
    throw new MlError(
      "BAD_PARAM",
      `${target} already holds other files (${foreign.slice(0, 3).join(", ")}); save into a new or empty directory`,
    );
  }

  const shardCount = Math.max(1, Math.ceil(data.byteLength / shardSize));
  const paths =
    data.byteLength === 0
      ? []
      : Array.from({ length: shardCount }, (_, i) => `group1-shard${i + 1}of${shardCount}.bin`);
  const modelJson: Record<string, unknown> = {
    modelTopology,
    format: artifacts.format ?? "layers-model",
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths, weights: specs }],
  };
  if (artifacts.trainingConfig !== undefined) modelJson.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata !== undefined) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.signature !== undefined) modelJson.signature = artifacts.signature;
  if (artifacts.modelInitializer !== undefined) modelJson.modelInitializer = artifacts.modelInitializer;
  if (artifacts.initializerSignature !== undefined) modelJson.initializerSignature = artifacts.initializerSignature;

  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const tmp = join(parent, `.${basename(target)}.tmp-${tag}`);
  const files: SavedFile[] = [];
  try {
    await mkdir(tmp);
    const jsonText = JSON.stringify(modelJson);
    await writeFile(join(tmp, MODEL_JSON), jsonText);
    files.push({ name: MODEL_JSON, path: join(target, MODEL_JSON), bytes: Buffer.byteLength(jsonText) });
    for (const [i, name] of paths.entries()) {
      const chunk = data.subarray(i * shardSize, Math.min(data.byteLength, (i + 1) * shardSize));
      await writeFile(join(tmp, name), chunk);
      files.push({ name, path: join(target, name), bytes: chunk.byteLength });
    }
    if (existing === null) {
      await rename(tmp, target);
    } else {
      const old = join(parent, `.${basename(target)}.old-${tag}`);
      await rename(target, old);
      try {
        await rename(tmp, target);
      } catch (e) {
        await rename(old, target).catch(() => undefined);
        throw e;
      }
      await rm(old, { recursive: true, force: true });
    }
  } catch (e) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    if (e instanceof MlError) throw e;
    throw new MlError("IO_ERROR", `cannot write the model to ${target}: ${describeError(e)}`, { cause: e });
  }
  const weightBytes = files.slice(1).reduce((a, f) => a + f.bytes, 0);
  return {
    dir: target,
    modelJsonPath: join(target, MODEL_JSON),
    files,
    totalBytes: weightBytes + (files[0]?.bytes ?? 0),
    weightBytes,
  };
}

/**
 * An IOHandler for `model.save(fileSystemIO(dir))` and `tf.loadLayersModel(fileSystemIO(dir))`.
 * `dir` is the model directory (or its model.json path for loading).
 */
export function fileSystemIO(dir: string, opts: WriteOptions = {}): tf.io.IOHandler & { lastSaved?: SavedModelFiles } {
  const handler: tf.io.IOHandler & { lastSaved?: SavedModelFiles } = {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const target = dir.endsWith(".json") ? dirname(dir) : dir;
      handler.lastSaved = await writeModelArtifacts(target, artifacts, opts);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    load: () => readModelArtifacts(dir),
  };
  return handler;
}

/** Saves a model's float32 weights and topology into `dir` (replacing an earlier save there). */
export async function saveModel(model: tf.LayersModel, dir: string, opts: WriteOptions = {}): Promise<SavedModelFiles> {
  const io = fileSystemIO(dir, opts);
  await model.save(io);
  if (!io.lastSaved) throw new MlError("IO_ERROR", `saving the model to ${dir} wrote nothing`);
  return io.lastSaved;
}

/** Bytes of model.json plus the weight files it names. Accepts the directory or model.json path. */
export async function modelFileSize(dir: string): Promise<number> {
  const path = modelJsonPathOf(dir);
  const model = checkedModelJson(await readJsonFile(path), basename(path));
  let total = (await stat(path)).size;
  for (const group of model.groups) {
    for (const p of group.paths) {
      try {
        total += (await stat(join(dirname(path), p))).size;
      } catch {
        throw new MlError("MODEL_FILE_MISSING", `weight file "${p}" named by ${basename(path)} is missing`);
      }
    }
  }
  return total;
}
