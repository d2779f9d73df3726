/**
 * The dtypes of a TensorFlow.js weight and how many bytes one value of each takes in a weight
 * file: the one table the upload check, the loader, inspect and quantize size weights with.
 */

/** The dtypes a weight has once loaded: what a LayersModel's weights are. */
const WEIGHT_DTYPES = ["float32", "int32", "bool"] as const;
export type WeightDtype = (typeof WEIGHT_DTYPES)[number];

/** The dtypes a quantized weight's values are stored as (tfjs-core io_utils decodeWeights). */
export const QUANTIZED_DTYPES = ["uint8", "uint16", "float16"] as const;
export type QuantizedDtype = (typeof QUANTIZED_DTYPES)[number];

/** What a weight file holds a weight's values as: its quantization dtype when quantized, else its dtype. */
export type StoredDtype = WeightDtype | QuantizedDtype;

/** Bytes one value takes in a weight file, by the dtype it is stored as. */
export const DTYPE_BYTES: Readonly<Record<StoredDtype, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

export function isWeightDtype(value: unknown): value is WeightDtype {
  return typeof value === "string" && (WEIGHT_DTYPES as readonly string[]).includes(value);
}

export function isQuantizedDtype(value: unknown): value is QuantizedDtype {
  return typeof value === "string" && (QUANTIZED_DTYPES as readonly string[]).includes(value);
}

/** Bytes one value stored as `dtype` takes; undefined for a dtype no weight file holds (string, complex64). */
export function bytesPerValue(dtype: string): number | undefined {
  return Object.hasOwn(DTYPE_BYTES, dtype) ? DTYPE_BYTES[dtype as StoredDtype] : undefined;
}
