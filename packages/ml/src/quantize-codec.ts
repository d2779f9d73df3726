/**
 * Pure encoders/decoders for the quantized weight formats that tfjs 4.22's
 * `io.decodeWeights` reads (tfjs-core/dist/io/io_utils.js):
 *
 * - `uint8` / `uint16`: one affine (scale, min) per tensor, value = q × scale + min.
 *   Same scheme as the tfjs converter (tensorflowjs/quantization.py): the range is
 *   nudged so that 0 is exactly representable when the range covers it (pruned zeros
 *   stay zeros), values are clipped to the nudged range and rounded. Error ≤ scale/2.
 * - `float16`: IEEE half precision bits, no metadata.
 *
 * No TensorFlow.js here: plain typed arrays in, typed arrays out.
 */

import type { QuantizedDtype } from "@costgate/formats";

export interface AffineQuantized {
  readonly values: Uint8Array | Uint16Array;
  readonly scale: number;
  readonly min: number;
}

/** Affine-quantize `data` to `bits` (8 or 16), the tfjs converter's way. */
export function quantizeAffine(data: ArrayLike<number>, dtype: "uint8" | "uint16"): AffineQuantized {
  const quantMax = dtype === "uint8" ? 255 : 65535;
  const out = dtype === "uint8" ? new Uint8Array(data.length) : new Uint16Array(data.length);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (!Number.isFinite(v)) {
      throw new RangeError(`cannot quantize a non-finite value (${v}) at index ${i}`);
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (data.length === 0 || lo === hi) {
    // A single value: every q is 0 and min carries it exactly.
    return { values: out, scale: 1, min: data.length === 0 ? 0 : lo };
  }
  const scale = (hi - lo) / quantMax;
  let min = lo;
  let max = hi;
  if (lo <= 0 && 0 <= hi) {
    const zeroPoint = Math.round(-lo / scale);
    min = -zeroPoint * scale;
    max = quantMax * scale + min;
  }
  for (let i = 0; i < data.length; i++) {
    const v = Math.min(max, Math.max(min, data[i] as number));
    const q = Math.round((v - min) / scale);
    out[i] = q < 0 ? 0 : q > quantMax ? quantMax : q;
  }
  return { values: out, scale, min };
}

/** The inverse tfjs applies at load time: float32(q × scale + min). */
export function dequantizeAffine(q: Uint8Array | Uint16Array, scale: number, min: number): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = (q[i] as number) * scale + min;
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → IEEE 754 half bits, round to nearest even; overflow saturates at ±65504. */
export function float32ToFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) {
    // NaN keeps a mantissa bit, Inf stays Inf.
    return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  }
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7bff; // saturate to ±65504
  if (e <= 0) {
    if (e < -10) return sign; // underflows to ±0
    mant |= 0x800000; // implicit leading 1
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half += 1;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half += 1;
  if ((half & 0x7fff) >= 0x7c00) return sign | 0x7bff; // rounding overflowed: saturate
  return sign | half;
}

export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

export function encodeFloat16(data: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = float32ToFloat16Bits(data[i] as number);
  return out;
}

export function decodeFloat16(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = float16BitsToFloat32(bits[i] as number);
  return out;
}

/** Mean squared reconstruction error of `data` stored as `dtype`. */
export function reconstructionError(data: Float32Array, dtype: QuantizedDtype): number {
  const back = roundTrip(data, dtype);
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const d = (data[i] as number) - (back[i] as number);
    sum += d * d;
  }
  return data.length === 0 ? 0 : sum / data.length;
}

/** What tfjs will hand the model after storing `data` as `dtype`. */
export function roundTrip(data: Float32Array, dtype: QuantizedDtype | "float32"): Float32Array {
  if (dtype === "float32") return data;
  if (dtype === "float16") return decodeFloat16(encodeFloat16(data));
  const q = quantizeAffine(data, dtype);
  return dequantizeAffine(q.values, q.scale, q.min);
}
