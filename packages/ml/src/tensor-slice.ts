/** Small typed-array helpers for slicing weight tensors along one axis (row-major). */

export interface HostTensor {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

function strides(shape: readonly number[], axis: number): { outer: number; inner: number; dim: number } {
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i] as number;
  let inner = 1;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i] as number;
  return { outer, inner, dim: shape[axis] as number };
}

/** Keeps only `indices` (ascending) of `axis`. */
export function takeAlongAxis(t: HostTensor, axis: number, indices: readonly number[]): HostTensor {
  const { outer, inner, dim } = strides(t.shape, axis);
  const out = new Float32Array(outer * indices.length * inner);
  let o = 0;
  for (let a = 0; a < outer; a++) {
    const base = a * dim * inner;
    for (const idx of indices) {
      const start = base + idx * inner;
      out.set(t.values.subarray(start, start + inner), o);
      o += inner;
    }
  }
  const shape = [...t.shape];
  shape[axis] = indices.length;
  return { shape, values: out };
}

/** Sum of |x| over every axis except `axis`, one number per index of `axis`. */
export function l1AlongAxis(t: HostTensor, axis: number): Float64Array {
  const { outer, inner, dim } = strides(t.shape, axis);
  const out = new Float64Array(dim);
  for (let a = 0; a < outer; a++) {
    for (let d = 0; d < dim; d++) {
      const start = (a * dim + d) * inner;
      let s = 0;
      for (let i = 0; i < inner; i++) s += Math.abs(t.values[start + i] as number);
      out[d] = (out[d] as number) + s;
    }
  }
  return out;
}
