import {
  bytesPerValue,
  DTYPE_BYTES,
  isQuantizedDtype,
  isWeightDtype,
  QUANTIZED_DTYPES,
  type StoredDtype,
  type WeightDtype,
} from "./dtypes.ts";
import { FormatError } from "./format-error.ts";
import { isObject, show } from "./json-values.ts";

/** A weight spec that keeps every rule, with what its checking learned. */
export interface CheckedWeight {
  name: string;
  shape: number[];
  /** The dtype the weight has once loaded (float32, int32, bool). */
  dtype: WeightDtype;
  /** The dtype its values are stored as: the quantization dtype when quantized, else dtype. */
  storedDtype: StoredDtype;
  /** Number of values (the product of the shape). */
  count: number;
  /** Bytes it takes in its weight files: count × bytes per stored value. */
  bytes: number;
}

/**
 * Checks one weight spec; `at` says where it is, e.g. `model.json weightsManifest[0].weights[2]`,
 * and starts every message. The rules, as TensorFlow.js 4.x decodes weights (tfjs-core
 * io_utils decodeWeights):
 * - a non-empty name, a shape of non-negative integers, dtype float32, int32 or bool;
 * - quantization, when there is one, of dtype uint8, uint16 or float16; uint8 and uint16 carry
 *   numeric scale and min (value = q × scale + min); the quantized dtype decides the stored width;
 * - only number weights are quantized: float32 as any of the three, int32 as uint8 or uint16.
 *   A quantized bool weight is refused (tfjs and its converter quantize number weights only, and
 *   the loader cannot decode one), and so is an int32 weight quantized as float16.
 */
export function checkWeightSpec(w: unknown, at: string): CheckedWeight {
  if (!isObject(w)) throw bad(`${at} must be an object with name, shape and dtype`);
  const { name, shape, dtype, quantization } = w;
  if (typeof name !== "string" || name.length === 0)
    throw bad(`${at}.name must be a non-empty string (got ${show(name)})`);
  const label = `${at} ("${name}")`;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw bad(`${label} shape must be an array of non-negative integers (got ${show(shape)})`);
  }
  if (!isWeightDtype(dtype)) {
    throw bad(`${label} has dtype ${show(dtype)}; Costgate supports float32, int32 and bool weights`);
  }
  const count = (shape as number[]).reduce((a, b) => a * b, 1);

  let storedDtype: StoredDtype = dtype;
  if (quantization !== undefined) {
    if (!isObject(quantization)) throw bad(`${label} quantization must be an object (got ${show(quantization)})`);
    const q = quantization.dtype;
    if (!isQuantizedDtype(q)) {
      throw bad(`${label} has quantization dtype ${show(q)}; supported: ${QUANTIZED_DTYPES.join(", ")}`);
    }
    if (dtype === "bool") {
      throw bad(
        `${label} is a bool weight quantized as ${q}: TensorFlow.js quantizes number weights only and cannot load a quantized bool; store it unquantized`,
      );
    }
    if (dtype === "int32" && q === "float16") {
      throw bad(
        `${label} is an int32 weight quantized as float16, which TensorFlow.js cannot load; use uint8 or uint16`,
      );
    }
    if (q !== "float16" && !(Number.isFinite(quantization.scale) && Number.isFinite(quantization.min))) {
      throw bad(`${label} is quantized as ${q} but its quantization lacks numeric scale and min`);
    }
    storedDtype = q;
  }
  return { name, shape: shape as number[], dtype, storedDtype, count, bytes: count * DTYPE_BYTES[storedDtype] };
}

/** The dtype a weight's values are stored as in its file: its quantization dtype, else its dtype. */
function storedDtypeOf(spec: { dtype: string; quantization?: { dtype: string } | null }): string {
  return spec.quantization?.dtype ?? spec.dtype;
}

/** Bytes a weight takes in its weight files; NaN for a dtype no weight file holds at a fixed width (string). */
export function weightSpecBytes(spec: {
  shape: readonly number[];
  dtype: string;
  quantization?: { dtype: string } | null;
}): number {
  return spec.shape.reduce((a, b) => a * b, 1) * (bytesPerValue(storedDtypeOf(spec)) ?? Number.NaN);
}

function bad(message: string): FormatError {
  return new FormatError("BAD_MODEL_JSON", message);
}
