import { badInput } from "@costgate/core";
import { MODEL_JSON_FILE, modelFileOrder } from "@costgate/artifacts";
import { jsonErrorPosition } from "./json-error-position.ts";
import { checkUploadPath } from "./upload-path.ts";
import { topologyProblem } from "./validate-topology.ts";

/** A file as received: its path inside the upload and its size. */
export interface UploadedFile {
  path: string;
  sizeBytes: number;
}

export interface WeightInfo {
  name: string;
  shape: number[];
  /** The dtype the weight has once loaded (float32, int32, bool). */
  dtype: string;
  /** The dtype its bytes are stored as: the quantization dtype when quantized, else dtype. */
  storedDtype: string;
}

/** What validation learned about a model; kept as Artifact.metadata. */
export interface ModelUploadMetadata {
  format: "layers-model";
  weights: WeightInfo[];
  /** Number of weight values (all weights, trainable or not). */
  parameterCount: number;
  /** Bytes of weight data as stored. */
  weightBytes: number;
  /** The artifact's files in canonical order: model.json, then the weight files in manifest order. */
  files: string[];
}

/** Bytes per value for an unquantized weight. */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };
/** Bytes per value for a quantized weight: the quantized dtype decides the stored width. */
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown) => (v === undefined ? "missing" : JSON.stringify(v).slice(0, 60));

/**
 * Validates a TensorFlow.js LayersModel upload before it is stored: `modelJsonText` is the
 * text of model.json, `files` every file of the upload (model.json included). Throws
 * BAD_USER_INPUT saying exactly what is wrong; returns the metadata otherwise. Pure.
 */
export function validateModelUpload(modelJsonText: string, files: readonly UploadedFile[]): ModelUploadMetadata {
  const json = parseModelJson(modelJsonText);

  const format = json.format;
  if (
    format === "graph-model" ||
    (format === undefined && isObject(json.modelTopology) && Array.isArray(json.modelTopology.node))
  ) {
    throw badInput(
      'model.json is a TensorFlow.js graph model; Costgate needs a TensorFlow.js LayersModel (format "layers-model"): ' +
        "save it from a tf.LayersModel with model.save(), or convert it with tensorflowjs_converter --output_format=tfjs_layers_model",
    );
  }
  if (format !== undefined && format !== "layers-model") {
    throw badInput(
      `model.json has format ${show(format)}; Costgate needs a TensorFlow.js LayersModel (format "layers-model")`,
    );
  }
  if (!isObject(json.modelTopology)) {
    throw badInput(
      `model.json has no modelTopology object (got ${show(json.modelTopology)}); is this a TensorFlow.js LayersModel's model.json?`,
    );
  }
  if (!Array.isArray(json.weightsManifest)) {
    throw badInput(`model.json has no weightsManifest array (got ${show(json.weightsManifest)})`);
  }

  const groups: { paths: string[]; expectedBytes: number; weightCount: number }[] = [];
  const weights: WeightInfo[] = [];
  const named = new Map<string, string>(); // normalised path -> where it is named
  let parameterCount = 0;
  let weightBytes = 0;

  json.weightsManifest.forEach((group: unknown, g: number) => {
    const at = `weightsManifest[${g}]`;
    if (!isObject(group)) throw badInput(`model.json ${at} must be an object with paths and weights`);
    if (!Array.isArray(group.paths) || group.paths.length === 0) {
      throw badInput(
        `model.json ${at}.paths must be a non-empty array of weight file names (got ${show(group.paths)})`,
      );
    }
    if (!Array.isArray(group.weights))
      throw badInput(`model.json ${at}.weights must be an array (got ${show(group.weights)})`);

    const paths = group.paths.map((p: unknown, k: number) => {
      const where = `${at}.paths[${k}]`;
      if (typeof p !== "string") throw badInput(`model.json ${where} must be a string (got ${show(p)})`);
      const path = checkUploadPath(p, `model.json ${where}`);
      if (path === MODEL_JSON_FILE) throw badInput(`model.json ${where} names model.json itself as a weight file`);
      const earlier = named.get(path);
      if (earlier) throw badInput(`model.json names weight file "${path}" twice (${earlier} and ${where})`);
      named.set(path, where);
      return path;
    });

    let expectedBytes = 0;
    group.weights.forEach((w: unknown, k: number) => {
      const info = checkWeight(w, `${at}.weights[${k}]`);
      weights.push(info.weight);
      parameterCount += info.count;
      expectedBytes += info.bytes;
    });
    weightBytes += expectedBytes;
    groups.push({ paths, expectedBytes, weightCount: group.weights.length });
  });
  if (!Number.isSafeInteger(parameterCount) || !Number.isSafeInteger(weightBytes)) {
    throw badInput("model.json's weight shapes add up to more values than can be stored");
  }
  const topology = topologyProblem(json.modelTopology);
  if (topology) throw badInput(`model.json: ${topology}`);

  // The upload must be exactly model.json plus the files the manifest names.
  const sizes = new Map(files.map((f) => [f.path, f.sizeBytes]));
  if (!sizes.has(MODEL_JSON_FILE)) throw badInput("the upload has no model.json");
  for (const [path, where] of named) {
    if (!sizes.has(path))
      throw badInput(`weight file "${path}" named by model.json (${where}) is missing from the upload`);
  }
  for (const f of files) {
    if (f.path !== MODEL_JSON_FILE && !named.has(f.path)) {
      throw badInput(
        `file "${f.path}" is not named by model.json's weightsManifest; upload only model.json and its weight files`,
      );
    }
  }

  groups.forEach((group, g) => {
    const got = group.paths.reduce((sum, p) => sum + (sizes.get(p) ?? 0), 0);
    if (got !== group.expectedBytes) {
      const fileList = group.paths.map((p) => `"${p}"`).join(", ");
      throw badInput(
        `weight files of weightsManifest[${g}] (${fileList}) hold ${got} bytes, but its ${group.weightCount} weights need exactly ${group.expectedBytes} bytes ` +
          `(sum of shape size x bytes per stored dtype): expected ${group.expectedBytes}, got ${got}`,
      );
    }
  });

  return {
    format: "layers-model",
    weights,
    parameterCount,
    weightBytes,
    files: modelFileOrder({ weightsManifest: groups }),
  };
}

function parseModelJson(text: string): Record<string, unknown> {
  if (text.charCodeAt(0) === 0xfeff)
    throw badInput("model.json starts with a byte-order mark; save it as UTF-8 without one");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const pos = jsonErrorPosition(text);
    const where = pos ? ` at line ${pos.line}, column ${pos.column} (character ${pos.offset})` : "";
    throw badInput(`model.json is not valid JSON${where}: ${(e as Error).message}`);
  }
  if (!isObject(json)) {
    throw badInput(
      `model.json must be a JSON object with modelTopology and weightsManifest (got ${Array.isArray(json) ? "an array" : show(json)})`,
    );
  }
  return json;
}

function checkWeight(w: unknown, at: string): { weight: WeightInfo; count: number; bytes: number } {
  if (!isObject(w)) throw badInput(`model.json ${at} must be an object with name, shape and dtype`);
  const { name, shape, dtype, quantization } = w;
  if (typeof name !== "string" || name.length === 0)
    throw badInput(`model.json ${at}.name must be a non-empty string (got ${show(name)})`);
  const label = `model.json ${at} ("${name}")`;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw badInput(`${label} shape must be an array of non-negative integers (got ${show(shape)})`);
  }
  if (typeof dtype !== "string" || !(dtype in DTYPE_BYTES)) {
    throw badInput(`${label} has dtype ${show(dtype)}; Costgate supports float32, int32 and bool weights`);
  }
  const count = (shape as number[]).reduce((a, b) => a * b, 1);

  let storedDtype = dtype;
  let width = DTYPE_BYTES[dtype]!;
  if (quantization !== undefined) {
    if (!isObject(quantization)) throw badInput(`${label} quantization must be an object (got ${show(quantization)})`);
    const q = quantization.dtype;
    if (typeof q !== "string" || !(q in QUANTIZED_BYTES)) {
      throw badInput(`${label} has quantization dtype ${show(q)}; supported: uint8, uint16, float16`);
    }
    if (dtype === "bool" || (dtype === "int32" && q === "float16")) {
      throw badInput(`${label} is a ${dtype} weight quantized as ${q}, which TensorFlow.js cannot load`);
    }
    if (q !== "float16" && !(Number.isFinite(quantization.scale) && Number.isFinite(quantization.min))) {
      throw badInput(`${label} is quantized as ${q} but its quantization lacks numeric scale and min`);
    }
    storedDtype = q;
    width = QUANTIZED_BYTES[q]!;
  }
  return { weight: { name, shape: shape as number[], dtype, storedDtype }, count, bytes: count * width };
}
