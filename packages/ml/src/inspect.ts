/**
 * What a model is made of: layers, shapes, parameters (and how many are non-zero), how each
 * weight is stored on disk, file size, and multiply-accumulates (MACs) per inference computed
 * from the layer shapes.
 *
 * MACs per inference (batch 1), per layer call:
 * - Dense: output elements x input features
 * - Conv1D/Conv2D/Conv3D: output elements x kernel volume x input channels
 * - Conv2DTranspose: input elements x kernel area x filters
 * - DepthwiseConv2D: output elements x kernel area
 * - SeparableConv2D: depthwise (out positions x in channels x multiplier x kernel area)
 *   + pointwise (out positions x in channels x multiplier x filters)
 * - pooling: output elements x pool area (global pooling: input elements)
 * - BatchNormalization / LayerNormalization, activation layers: 1 per output element
 * - Add/Subtract/Multiply/Average/Maximum/Minimum: output elements x (inputs - 1)
 * - Concatenate, Flatten, Reshape, Dropout, padding, cropping, ...: 0 (data movement)
 * - anything else (RNNs, custom layers): 0, and named in `unknownLayers`
 * Activations fused into Dense/Conv layers are not counted.
 */
import { readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { checkModelJson, DTYPE_BYTES, parseModelJson, type StoredDtype } from "@costgate/formats";
import { formatChecked, MlError } from "./errors.ts";
import { MODEL_JSON } from "./model-io.ts";
import { tf } from "./tf.ts";

/** What a weight's values are stored as on disk (@costgate/formats' dtype table). */
type StorageDtype = StoredDtype;

interface WeightInspection {
  /** Manifest name, e.g. "conv1/kernel". */
  name: string;
  layer: string;
  shape: number[];
  params: number;
  nonZero: number;
  /** How it is stored on disk (from the manifest when read from files; else the runtime dtype). */
  storageDtype: StorageDtype;
  storageBytes: number;
  trainable: boolean;
}

interface LayerInspection {
  name: string;
  className: string;
  outputShape: Array<number | null> | Array<Array<number | null>>;
  params: number;
  macs: number;
  /** False when the layer's cost is unknown (counted 0). */
  macsKnown: boolean;
}

export interface ModelInspection {
  name: string;
  /** 'Sequential' or 'Functional' (tfjs: 'Model'). */
  className: string;
  inputShapes: Array<Array<number | null>>;
  outputShapes: Array<Array<number | null>>;
  layers: LayerInspection[];
  weights: WeightInspection[];
  parameterCount: number;
  trainableParameterCount: number;
  nonZeroParameterCount: number;
  /** Share of parameters that are exactly zero. */
  sparsity: number;
  /** Bytes of weights as stored (quantized weights count their stored size). */
  weightStorageBytes: number;
  /** Weights per storage dtype (parameter counts). */
  parametersByStorageDtype: Partial<Record<StorageDtype, number>>;
  macs: number;
  /** "name (ClassName)" of layers whose MACs are unknown (counted 0). */
  unknownLayers: string[];
  /** model.json + weight files, when inspected with modelJsonPath. */
  fileSizeBytes: number | null;
}

export interface InspectOptions {
  /** The model.json the model was loaded from: adds file size and on-disk storage dtypes. */
  modelJsonPath?: string;
}

type Shape = Array<number | null>;

const ZERO_COST = new Set([
  "InputLayer",
  "Flatten",
  "Reshape",
  "Permute",
  "RepeatVector",
  "Dropout",
  "SpatialDropout1D",
  "SpatialDropout2D",
  "AlphaDropout",
  "GaussianDropout",
  "GaussianNoise",
  "ActivityRegularization",
  "Masking",
  "ZeroPadding2D",
  "Cropping2D",
  "UpSampling2D",
  "Concatenate",
  "Embedding",
]);
const ELEMENTWISE = new Set([
  "Activation",
  "ReLU",
  "LeakyReLU",
  "PReLU",
  "ELU",
  "ThresholdedReLU",
  "Softmax",
  "BatchNormalization",
  "LayerNormalization",
  "Rescaling",
]);
const MERGE = new Set(["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]);
const POOL = new Set([
  "MaxPooling1D",
  "MaxPooling2D",
  "MaxPooling3D",
  "AveragePooling1D",
  "AveragePooling2D",
  "AveragePooling3D",
]);
const GLOBAL_POOL = new Set([
  "GlobalAveragePooling1D",
  "GlobalAveragePooling2D",
  "GlobalMaxPooling1D",
  "GlobalMaxPooling2D",
]);

const elements = (shape: Shape): number => shape.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1);
const last = (shape: Shape): number => shape[shape.length - 1] ?? 1;
const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

function asShapes(s: unknown): Shape[] {
  if (!Array.isArray(s)) return [];
  return Array.isArray(s[0]) ? (s as Shape[]) : [s as Shape];
}

/** MACs of one call of `layer` with these input/output shapes; null when unknown. */
function layerCallMacs(layer: tf.layers.Layer, inputs: Shape[], outputs: Shape[]): number | null {
  const cls = layer.getClassName();
  const cfg = layer.getConfig() as Record<string, unknown>;
  const inp = inputs[0] ?? [];
  const out = outputs[0] ?? [];
  const kernelArea = () => prod((cfg.kernelSize as number[] | undefined) ?? []);
  if (ZERO_COST.has(cls)) return 0;
  if (ELEMENTWISE.has(cls)) return elements(out);
  if (MERGE.has(cls)) return elements(out) * Math.max(0, inputs.length - 1);
  switch (cls) {
    case "Dense":
      return elements(out) * last(inp);
    case "Conv1D":
    case "Conv2D":
    case "Conv3D":
      return elements(out) * kernelArea() * last(inp);
    case "Conv2DTranspose":
      return elements(inp) * kernelArea() * (cfg.filters as number);
    case "DepthwiseConv2D":
      return elements(out) * kernelArea();
    case "SeparableConv2D": {
      const positions = elements(out) / last(out);
      const mid = last(inp) * ((cfg.depthMultiplier as number) ?? 1);
      return positions * mid * kernelArea() + positions * mid * last(out);
    }
  }
  if (POOL.has(cls)) {
    const pool = cfg.poolSize;
    return elements(out) * (Array.isArray(pool) ? prod(pool as number[]) : Number(pool ?? 1));
  }
  if (GLOBAL_POOL.has(cls)) return elements(inp);
  return null;
}

interface LayerCost {
  macs: number;
  unknown: string[];
}

function layerCost(layer: tf.layers.Layer): LayerCost {
  if (layer instanceof tf.LayersModel) {
    const inner = modelCost(layer);
    const calls = Math.max(1, layer.inboundNodes.length);
    return { macs: inner.macs * calls, unknown: inner.unknown.map((u) => `${layer.name}/${u}`) };
  }
  const nodes = layer.inboundNodes.length > 0 ? layer.inboundNodes : [];
  const calls =
    nodes.length > 0
      ? nodes.map((n) => ({ inputs: asShapes(n.inputShapes), outputs: asShapes(n.outputShapes) }))
      : [{ inputs: [] as Shape[], outputs: asShapes(layer.outputShape) }];
  let macs = 0;
  for (const c of calls) {
    const m = layerCallMacs(layer, c.inputs, c.outputs);
    if (m === null) return { macs: 0, unknown: [`${layer.name} (${layer.getClassName()})`] };
    macs += m;
  }
  return { macs, unknown: [] };
}

function modelCost(model: tf.LayersModel): LayerCost & { perLayer: Map<string, LayerCost> } {
  const perLayer = new Map<string, LayerCost>();
  let macs = 0;
  const unknown: string[] = [];
  for (const layer of model.layers) {
    const c = layerCost(layer);
    perLayer.set(layer.name, c);
    macs += c.macs;
    unknown.push(...c.unknown);
  }
  return { macs, unknown, perLayer };
}

function countNonZero(t: tf.Tensor): number {
  const data = t.dataSync();
  let n = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) n++;
  return n;
}

function readManifestSync(modelJsonPath: string): { storage: Map<string, StorageDtype>; fileSize: number } {
  const path = modelJsonPath.endsWith(".json") ? resolve(modelJsonPath) : resolve(modelJsonPath, MODEL_JSON);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new MlError("MODEL_FILE_MISSING", `no model file at ${path}`);
  }
  const source = basename(path);
  const model = formatChecked(() => checkModelJson(parseModelJson(text, source), source));
  const storage = new Map(model.weights.map((w) => [w.name, w.storedDtype]));
  let fileSize = Buffer.byteLength(text);
  for (const group of model.groups) {
    for (const p of group.paths) {
      try {
        fileSize += statSync(join(dirname(path), p)).size;
      } catch {
        throw new MlError("MODEL_FILE_MISSING", `weight file "${p}" named by ${basename(path)} is missing`);
      }
    }
  }
  return { storage, fileSize };
}

/** Inspects a loaded (or in-memory) LayersModel. Reads only model.json and file sizes from disk. */
export function inspectModel(model: tf.LayersModel, opts: InspectOptions = {}): ModelInspection {
  const manifest = opts.modelJsonPath ? readManifestSync(opts.modelJsonPath) : null;
  const cost = modelCost(model);

  const layers: LayerInspection[] = model.layers.map((layer) => {
    const c = cost.perLayer.get(layer.name) ?? { macs: 0, unknown: [] };
    return {
      name: layer.name,
      className: layer.getClassName(),
      outputShape: layer.outputShape as LayerInspection["outputShape"],
      params: layer.countParams(),
      macs: c.macs,
      macsKnown: c.unknown.length === 0,
    };
  });

  const trainableIds = new Set(model.trainableWeights.map((w) => w.id));
  const weights: WeightInspection[] = [];
  const collect = (m: tf.LayersModel) => {
    for (const layer of m.layers) {
      if (layer instanceof tf.LayersModel) {
        collect(layer);
        continue;
      }
      for (const w of layer.weights) {
        const shape = w.shape as number[];
        const params = prod(shape);
        const dtype = (manifest?.storage.get(w.originalName) ?? w.dtype) as StorageDtype;
        weights.push({
          name: w.originalName,
          layer: layer.name,
          shape,
          params,
          nonZero: countNonZero(w.read()),
          storageDtype: dtype,
          storageBytes: params * (DTYPE_BYTES[dtype] ?? 4),
          trainable: trainableIds.has(w.id),
        });
      }
    }
  };
  collect(model);

  const parameterCount = weights.reduce((a, w) => a + w.params, 0);
  const nonZero = weights.reduce((a, w) => a + w.nonZero, 0);
  const byDtype: Partial<Record<StorageDtype, number>> = {};
  for (const w of weights) byDtype[w.storageDtype] = (byDtype[w.storageDtype] ?? 0) + w.params;

  return {
    name: model.name,
    className: model.getClassName() === "Model" ? "Functional" : model.getClassName(),
    inputShapes: model.inputs.map((i) => i.shape),
    outputShapes: model.outputs.map((o) => o.shape),
    layers,
    weights,
    parameterCount,
    trainableParameterCount: weights.filter((w) => w.trainable).reduce((a, w) => a + w.params, 0),
    nonZeroParameterCount: nonZero,
    sparsity: parameterCount === 0 ? 0 : 1 - nonZero / parameterCount,
    weightStorageBytes: weights.reduce((a, w) => a + w.storageBytes, 0),
    parametersByStorageDtype: byDtype,
    macs: cost.macs,
    unknownLayers: cost.unknown,
    fileSizeBytes: manifest ? manifest.fileSize : null,
  };
}
