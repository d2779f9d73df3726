/**
 * Post-training weight quantization into the standard tfjs weights manifest:
 * `quantization: { dtype: 'uint8' | 'uint16', scale, min }` (one affine per tensor, the
 * converter's scheme, value = q × scale + min) or `{ dtype: 'float16' }`. Plain
 * `tf.loadLayersModel` decodes them to float32 at load time: the files shrink 4× / 2×,
 * inference is not faster (docs/ARCHITECTURE.md "Cost of a version").
 *
 * Only float32 tensors are quantized; int32/bool/string tensors are copied as they are.
 */
import {
  bytesPerValue,
  isQuantizedDtype,
  QUANTIZED_DTYPES,
  weightSpecBytes,
  type QuantizedDtype,
} from "@costgate/formats";
import { MlError } from "./errors.ts";
import { dequantizeAffine, decodeFloat16, encodeFloat16, quantizeAffine } from "./quantize-codec.ts";
import { tf } from "./tf.ts";

/** What one tensor is stored as: a quantized dtype or left at float32. */
export type TensorStorage = QuantizedDtype | "float32";

export interface QuantizeOptions {
  /** Default storage for every float32 tensor. */
  dtype: QuantizedDtype;
  /** Per-tensor storage by weight name (e.g. 'dense_1/kernel'); 'float32' keeps a tensor as is. */
  tensors?: Record<string, TensorStorage>;
}

interface QuantizedTensorInfo {
  name: string;
  shape: number[];
  /** dtype of the tensor in the model. */
  dtype: string;
  /** How it is stored in the file. */
  storage: TensorStorage | "unchanged";
  bytes: number;
  scale?: number;
  min?: number;
  /** Largest |decoded - original| over the tensor. */
  maxAbsError: number;
}

export interface QuantizeResult {
  artifacts: tf.io.ModelArtifacts;
  tensors: QuantizedTensorInfo[];
  bytesBefore: number;
  bytesAfter: number;
}

/** A weight as read from artifacts: float32 values (dequantized if needed) or raw bytes. */
export interface WeightEntry {
  spec: tf.io.WeightsManifestEntry;
  /** Present for float32 tensors (decoded as tfjs would). */
  values?: Float32Array;
  /** Stored bytes exactly as found. */
  bytes: Uint8Array;
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function joinWeightData(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  return tf.io.CompositeArrayBuffer.join(data);
}

/** Splits the weight data of `artifacts` per weight spec (the layout tfjs's decodeWeights reads). */
export function readWeightEntries(artifacts: tf.io.ModelArtifacts): WeightEntry[] {
  const specs = artifacts.weightSpecs ?? [];
  const buffer = new Uint8Array(joinWeightData(artifacts.weightData));
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const entries: WeightEntry[] = [];
  let offset = 0;
  for (const spec of specs) {
    const n = sizeOf(spec.shape);
    let length: number;
    if (spec.dtype === "string" && !spec.quantization) {
      length = 0;
      for (let i = 0; i < n; i++) length += 4 + view.getUint32(offset + length, true);
    } else length = weightSpecBytes(spec);
    if (!Number.isFinite(length) || offset + length > buffer.byteLength) {
      throw new MlError(
        "WEIGHTS_MISMATCH",
        `weight '${spec.name}' (${spec.quantization?.dtype ?? spec.dtype}, shape [${spec.shape}]) needs bytes ${offset}..${offset + length} but the weight data has ${buffer.byteLength}`,
      );
    }
    const bytes = buffer.slice(offset, offset + length);
    offset += length;
    const entry: WeightEntry = { spec, bytes };
    if (spec.dtype === "float32") entry.values = decodeFloat32(spec, bytes);
    entries.push(entry);
  }
  if (offset !== buffer.byteLength) {
    throw new MlError(
      "WEIGHTS_MISMATCH",
      `the weight specs describe ${offset} bytes but the weight data has ${buffer.byteLength}`,
    );
  }
  return entries;
}

function decodeFloat32(spec: tf.io.WeightsManifestEntry, bytes: Uint8Array): Float32Array {
  const q = spec.quantization;
  const copy = bytes.slice().buffer;
  if (!q) return new Float32Array(copy);
  if (q.dtype === "float16") return decodeFloat16(new Uint16Array(copy));
  if (q.scale === undefined || q.min === undefined) {
    throw new MlError("WEIGHTS_MISMATCH", `weight '${spec.name}' is ${q.dtype}-quantized but has no scale/min`);
  }
  return dequantizeAffine(q.dtype === "uint8" ? new Uint8Array(copy) : new Uint16Array(copy), q.scale, q.min);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    if (d > m) m = d;
  }
  return m;
}

function checkStorage(value: unknown, what: string, allowFloat32: boolean): TensorStorage {
  if (isQuantizedDtype(value) || (allowFloat32 && value === "float32")) return value as TensorStorage;
  const allowed = [...QUANTIZED_DTYPES, ...(allowFloat32 ? ["float32"] : [])].join(", ");
  throw new MlError("BAD_PARAM", `${what} must be one of ${allowed} (got ${JSON.stringify(value)})`);
}

/**
 * Quantizes the float32 weights of `artifacts` (already-quantized weights are decoded first)
 * and returns new artifacts in the standard manifest format plus what was done per tensor.
 */
export function quantizeArtifacts(artifacts: tf.io.ModelArtifacts, opts: QuantizeOptions): QuantizeResult {
  if (opts === null || typeof opts !== "object") throw new MlError("BAD_PARAM", "quantize needs options { dtype }");
  const dtype = checkStorage(opts.dtype, "dtype", false) as QuantizedDtype;
  const overrides = opts.tensors ?? {};
  if (typeof overrides !== "object" || overrides === null) {
    throw new MlError("BAD_PARAM", "tensors must be an object of weight name → dtype");
  }
  const entries = readWeightEntries(artifacts);
  const names = entries.map((e) => e.spec.name);
  for (const [name, value] of Object.entries(overrides)) {
    const entry = entries.find((e) => e.spec.name === name);
    if (!entry) {
      const shown = names.slice(0, 12).join(", ") + (names.length > 12 ? ", …" : "");
      throw new MlError("BAD_PARAM", `tensors: the model has no weight '${name}' (weights: ${shown})`);
    }
    checkStorage(value, `tensors['${name}']`, true);
    if (entry.spec.dtype !== "float32" && value !== "float32") {
      throw new MlError(
        "BAD_PARAM",
        `tensors: weight '${name}' is ${entry.spec.dtype}; only float32 weights can be quantized`,
      );
    }
  }

  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  const tensors: QuantizedTensorInfo[] = [];
  let bytesBefore = 0;
  for (const entry of entries) {
    const { spec } = entry;
    bytesBefore += sizeOf(spec.shape) * (bytesPerValue(spec.dtype) ?? 0) || entry.bytes.length;
    const base: tf.io.WeightsManifestEntry = { name: spec.name, shape: [...spec.shape], dtype: spec.dtype };
    if (spec.group !== undefined) base.group = spec.group;
    const values = entry.values;
    if (!values) {
      // int32 / bool / string / complex64: copied byte for byte (quantization metadata kept).
      specs.push(spec.quantization ? { ...base, quantization: { ...spec.quantization } } : base);
      parts.push(entry.bytes);
      tensors.push({
        name: spec.name,
        shape: base.shape,
        dtype: spec.dtype,
        storage: "unchanged",
        bytes: entry.bytes.length,
        maxAbsError: 0,
      });
      continue;
    }
    const storage = overrides[spec.name] ?? dtype;
    let bytes: Uint8Array;
    let decoded: Float32Array;
    const info: QuantizedTensorInfo = {
      name: spec.name,
      shape: base.shape,
      dtype: "float32",
      storage,
      bytes: 0,
      maxAbsError: 0,
    };
    if (storage === "float32") {
      bytes = new Uint8Array(values.slice().buffer);
      decoded = values;
      specs.push(base);
    } else if (storage === "float16") {
      const half = encodeFloat16(values);
      bytes = new Uint8Array(half.buffer);
      decoded = decodeFloat16(half);
      specs.push({ ...base, quantization: { dtype: "float16" } });
    } else {
      let q;
      try {
        q = quantizeAffine(values, storage);
      } catch (e) {
        throw new MlError(
          "BAD_PARAM",
          `weight '${spec.name}' cannot be stored as ${storage}: ${(e as Error).message}; store it as float16 or float32`,
        );
      }
      bytes = new Uint8Array(q.values.buffer, q.values.byteOffset, q.values.byteLength);
      decoded = dequantizeAffine(q.values, q.scale, q.min);
      specs.push({ ...base, quantization: { dtype: storage, scale: q.scale, min: q.min } });
      info.scale = q.scale;
      info.min = q.min;
    }
    info.bytes = bytes.length;
    info.maxAbsError = maxAbsDiff(values, decoded);
    parts.push(bytes);
    tensors.push(info);
  }
  const total = parts.reduce((s, p) => s + p.length, 0);
  const weightData = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    weightData.set(p, o);
    o += p.length;
  }
  return {
    artifacts: { ...artifacts, weightSpecs: specs, weightData: weightData.buffer },
    tensors,
    bytesBefore,
    bytesAfter: total,
  };
}

/** The model's artifacts as `model.save` would write them, captured in memory. */
export async function modelToArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  if (captured === null) throw new MlError("IO_ERROR", "model.save produced no artifacts");
  return captured;
}

/**
 * Quantizes the weights of `model` (not modified) and returns artifacts in the standard
 * weights-manifest format, ready for writeModelArtifacts or `tf.loadLayersModel(tf.io.fromMemory(...))`.
 */
export async function quantizeModel(model: tf.LayersModel, opts: QuantizeOptions): Promise<tf.io.ModelArtifacts> {
  return (await quantizeModelDetailed(model, opts)).artifacts;
}

/** quantizeModel plus what was done to each tensor and the byte counts. */
export async function quantizeModelDetailed(model: tf.LayersModel, opts: QuantizeOptions): Promise<QuantizeResult> {
  if (!(model instanceof tf.LayersModel)) {
    throw new MlError("NOT_A_LAYERS_MODEL", "quantizeModel needs a tf.LayersModel");
  }
  // Validate the dtype before paying for a save.
  if (opts === null || typeof opts !== "object") throw new MlError("BAD_PARAM", "quantize needs options { dtype }");
  checkStorage(opts.dtype, "dtype", false);
  return quantizeArtifacts(await modelToArtifacts(model), opts);
}
