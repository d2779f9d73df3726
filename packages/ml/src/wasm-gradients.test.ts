import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend.ts";
import { createRandom } from "./random.ts";
import { tf } from "./tf.ts";
import {
  conv2dFilterGradient,
  depthwiseFilterGradient,
  depthwiseInputGradient,
  registerBatchNormGradient,
} from "./wasm-gradients.ts";

type Shape4 = [number, number, number, number];
type Pad = "valid" | "same" | number | [[number, number], [number, number], [number, number], [number, number]];

const TOL = 1e-4;

function values(n: number, seed: number): Float32Array {
  const r = createRandom(seed);
  return Float32Array.from({ length: n }, () => r.normal());
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** tf.tidy for callbacks that return plain values (typed arrays) instead of tensors. */
function tidyValue<T>(fn: () => T): T {
  let out: T | undefined;
  tf.tidy(() => {
    out = fn();
  });
  return out as T;
}

/** Max of |a-b| / max(1, |b|). */
function maxError(a: Float32Array | number[], b: Float32Array | number[]): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)) / Math.max(1, Math.abs(b[i] as number)));
  }
  return m;
}

async function on<T>(backend: "wasm" | "cpu", fn: () => T): Promise<T> {
  await initBackend({ force: backend });
  return fn();
}

interface ConvCase {
  x: Shape4;
  filter: Shape4;
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/** Gradients of sum(conv(x, w) * r) w.r.t. x and w, where r is a fixed random tensor. */
function convGrads(c: ConvCase, depthwise: boolean, seed: number): { dx: Float32Array; dw: Float32Array } {
  return tidyValue(() => {
    const x = tf.tensor4d(values(size(c.x), seed), c.x);
    const w = tf.tensor4d(values(size(c.filter), seed + 1), c.filter);
    const fwd = (a: tf.Tensor4D, b: tf.Tensor4D) =>
      depthwise
        ? tf.depthwiseConv2d(a, b, c.strides, c.pad, "NHWC", 1, c.dimRoundingMode)
        : tf.conv2d(a, b, c.strides, c.pad, "NHWC", 1, c.dimRoundingMode);
    const outShape = tidyValue(() => fwd(x, w).shape);
    const r = tf.tensor(values(size(outShape), seed + 2), outShape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(fwd(a as tf.Tensor4D, b as tf.Tensor4D), r)),
    )([x, w]);
    return { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
  });
}

const explicit: Pad = [
  [0, 0],
  [1, 2],
  [2, 0],
  [0, 0],
];

describe("wasm gradient kernels", () => {
  beforeAll(async () => {
    await initBackend({ force: "wasm" });
  });

  it("registers the three kernels wasm lacks", async () => {
    await initBackend({ force: "wasm" });
    for (const k of [
      "Conv2DBackpropFilter",
      "DepthwiseConv2dNativeBackpropFilter",
      "DepthwiseConv2dNativeBackpropInput",
      "Conv2DBackpropInput",
    ]) {
      expect(tf.getKernel(k, "wasm"), k).toBeDefined();
    }
  });

  const convCases: ConvCase[] = [];
  for (const strides of [1, 2, 3, [2, 1] as [number, number]]) {
    for (const pad of ["valid", "same", 1, explicit] as Pad[]) {
      // tfjs 4.22 computes the output width of a numeric pad from the filter height and stride
      // height (wasm's forward conv then writes out of bounds): numeric pads need square ones.
      if (typeof pad === "number" && Array.isArray(strides)) continue;
      const filter: Shape4 = typeof pad === "number" ? [3, 3, 3, 4] : [3, 2, 3, 4];
      convCases.push({ x: [2, 9, 8, 3], filter, strides, pad });
    }
  }
  convCases.push({ x: [3, 7, 7, 2], filter: [1, 1, 2, 5], strides: 2, pad: "same" });

  it("conv2d gradients (Conv2DBackpropFilter, replacement Conv2DBackpropInput) match cpu over strides and paddings", async () => {
    let worst = 0;
    for (const [i, c] of convCases.entries()) {
      const wasm = await on("wasm", () => convGrads(c, false, 100 + i));
      const cpu = await on("cpu", () => convGrads(c, false, 100 + i));
      const err = Math.max(maxError(wasm.dw, cpu.dw), maxError(wasm.dx, cpu.dx));
      expect(err, JSON.stringify(c)).toBeLessThan(TOL);
      worst = Math.max(worst, err);
    }
    expect(worst).toBeLessThan(TOL);
  }, 60_000);

  it("Conv2DBackpropFilter honours dimRoundingMode (run as a kernel: tf.grad drops the attribute)", async () => {
    const cases: Array<{ x: Shape4; filter: Shape4; strides: number; pad: number; mode: "ceil" | "round" | "floor" }> =
      [
        { x: [2, 10, 9, 2], filter: [5, 5, 2, 3], strides: 2, pad: 1, mode: "ceil" },
        { x: [2, 10, 9, 2], filter: [4, 4, 2, 3], strides: 3, pad: 2, mode: "round" },
        { x: [2, 11, 11, 1], filter: [3, 3, 1, 2], strides: 2, pad: 0, mode: "floor" },
      ];
    for (const [i, c] of cases.entries()) {
      const run = () =>
        tidyValue(() => {
          const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.mode);
          const x = tf.tensor4d(values(size(c.x), 40 + i), c.x);
          const dy = tf.tensor4d(values(size(info.outShape), 60 + i), info.outShape);
          const out = tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
            strides: c.strides,
            pad: c.pad,
            dataFormat: "NHWC",
            dimRoundingMode: c.mode,
            filterShape: c.filter,
          } as unknown as tf.NamedAttrMap) as tf.Tensor;
          return out.dataSync() as Float32Array;
        });
      const wasm = await on("wasm", run);
      const cpu = await on("cpu", run);
      expect(maxError(wasm, cpu), JSON.stringify(c)).toBeLessThan(TOL);
    }
  });

  it("Conv2DBackpropFilter handles NCHW data", async () => {
    const xShape: Shape4 = [2, 3, 8, 7];
    const dyShape: Shape4 = [2, 4, 4, 4]; // stride 2, 'same'
    const run = () =>
      tidyValue(() => {
        const x = tf.tensor4d(values(size(xShape), 7), xShape);
        const dy = tf.tensor4d(values(size(dyShape), 8), dyShape);
        const out = tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
          strides: 2,
          pad: "same",
          dataFormat: "NCHW",
          filterShape: [3, 3, 3, 4],
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
        expect(out.shape).toEqual([3, 3, 3, 4]);
        return out.dataSync() as Float32Array;
      });
    const wasm = await on("wasm", run);
    const cpu = await on("cpu", run);
    expect(maxError(wasm, cpu)).toBeLessThan(TOL);
  });

  it("the replacement Conv2DBackpropInput matches cpu for NCHW data and as conv2dTranspose", async () => {
    const dyShape: Shape4 = [2, 4, 4, 4];
    const wShape: Shape4 = [3, 3, 3, 4];
    const viaKernel = () =>
      tidyValue(() => {
        const dy = tf.tensor4d(values(size(dyShape), 11), dyShape);
        const w = tf.tensor4d(values(size(wShape), 12), wShape);
        const out = tf.engine().runKernel("Conv2DBackpropInput", { dy, filter: w }, {
          strides: 2,
          pad: "same",
          dataFormat: "NCHW",
          inputShape: [2, 3, 8, 7],
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
        expect(out.shape).toEqual([2, 3, 8, 7]);
        return out.dataSync() as Float32Array;
      });
    expect(maxError(await on("wasm", viaKernel), await on("cpu", viaKernel))).toBeLessThan(TOL);
    const transpose = () =>
      tidyValue(() => {
        const x = tf.tensor4d(values(2 * 5 * 5 * 3, 13), [2, 5, 5, 3]);
        const w = tf.tensor4d(values(3 * 3 * 4 * 3, 14), [3, 3, 4, 3]); // [h, w, out, in]
        return tf.conv2dTranspose(x, w, [2, 11, 11, 4], 2, "valid").dataSync() as Float32Array;
      });
    expect(maxError(await on("wasm", transpose), await on("cpu", transpose))).toBeLessThan(TOL);
  });

  const dwCases: ConvCase[] = [];
  for (const mult of [1, 2, 3]) {
    for (const strides of [1, 2, [1, 2] as [number, number]]) {
      for (const pad of ["valid", "same", 1, explicit] as Pad[]) {
        dwCases.push({ x: [2, 8, 7, 3], filter: [3, 3, 3, mult], strides, pad });
      }
    }
  }
  dwCases.push({ x: [2, 9, 9, 2], filter: [2, 4, 2, 2], strides: 3, pad: "same" });

  it("DepthwiseConv2dNative backprop filter and input match cpu over strides, paddings and channel multipliers", async () => {
    for (const [i, c] of dwCases.entries()) {
      const wasm = await on("wasm", () => convGrads(c, true, 300 + i));
      const cpu = await on("cpu", () => convGrads(c, true, 300 + i));
      expect(maxError(wasm.dw, cpu.dw), `filter ${JSON.stringify(c)}`).toBeLessThan(TOL);
      expect(maxError(wasm.dx, cpu.dx), `input ${JSON.stringify(c)}`).toBeLessThan(TOL);
    }
  }, 60_000);

  /** A dilated filter is the filter with (d-1) zeros inserted between taps. */
  function dilateFilter(w: Float32Array, shape: Shape4, dh: number, dw: number): { data: Float32Array; shape: Shape4 } {
    const [kh, kw, ci, co] = shape;
    const eh = (kh - 1) * dh + 1;
    const ew = (kw - 1) * dw + 1;
    const out = new Float32Array(eh * ew * ci * co);
    for (let a = 0; a < kh; a++)
      for (let b = 0; b < kw; b++)
        for (let k = 0; k < ci * co; k++) out[(a * dh * ew + b * dw) * ci * co + k] = w[(a * kw + b) * ci * co + k]!;
    return { data: out, shape: [eh, ew, ci, co] };
  }
  function takeDilatedTaps(g: Float32Array, shape: Shape4, dh: number, dw: number): Float32Array {
    const [kh, kw, ci, co] = shape;
    const ew = (kw - 1) * dw + 1;
    const out = new Float32Array(kh * kw * ci * co);
    for (let a = 0; a < kh; a++)
      for (let b = 0; b < kw; b++)
        for (let k = 0; k < ci * co; k++) out[(a * kw + b) * ci * co + k] = g[(a * dh * ew + b * dw) * ci * co + k]!;
    return out;
  }

  it("supports dilations (checked against cpu gradients of the equivalent zero-inserted filter)", async () => {
    const cases: Array<{ depthwise: boolean; x: Shape4; filter: Shape4; dil: [number, number]; pad: Pad }> = [
      { depthwise: false, x: [2, 11, 10, 2], filter: [3, 3, 2, 3], dil: [2, 2], pad: "valid" },
      { depthwise: false, x: [2, 11, 10, 2], filter: [3, 2, 2, 3], dil: [2, 3], pad: "same" },
      { depthwise: true, x: [2, 11, 10, 2], filter: [3, 3, 2, 2], dil: [2, 2], pad: "valid" },
      { depthwise: true, x: [2, 11, 10, 3], filter: [2, 3, 3, 1], dil: [3, 2], pad: explicit },
    ];
    for (const [i, c] of cases.entries()) {
      const w = values(size(c.filter), 500 + i);
      const wide = dilateFilter(w, c.filter, c.dil[0], c.dil[1]);
      const refExact = await on("cpu", () =>
        tidyValue(() => {
          const x = tf.tensor4d(values(size(c.x), 900 + i), c.x);
          const wt = tf.tensor4d(wide.data, wide.shape);
          const fwd = (a: tf.Tensor4D, b: tf.Tensor4D) =>
            c.depthwise ? tf.depthwiseConv2d(a, b, 1, c.pad) : tf.conv2d(a, b, 1, c.pad);
          const outShape = tidyValue(() => fwd(x, wt).shape);
          const r = tf.tensor4d(values(size(outShape), 901 + i), outShape as Shape4);
          const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.mul(fwd(a as tf.Tensor4D, b as tf.Tensor4D), r)),
          )([x, wt]);
          return {
            dx: dx!.dataSync() as Float32Array,
            dw: dw!.dataSync() as Float32Array,
            r: r.dataSync() as Float32Array,
            outShape,
          };
        }),
      );
      expect(refExact.dw.length).toBe(size(wide.shape));
      const got = await on("wasm", () =>
        tidyValue(() => {
          const x = tf.tensor4d(values(size(c.x), 900 + i), c.x);
          const dy = tf.tensor4d(refExact.r, refExact.outShape as Shape4);
          const wt = tf.tensor4d(w, c.filter);
          const dwT = c.depthwise
            ? depthwiseFilterGradient(x, dy, c.filter, 1, c.pad, c.dil)
            : conv2dFilterGradient(x, dy, c.filter, 1, c.pad, c.dil);
          const dx = c.depthwise ? depthwiseInputGradient(c.x, dy, wt, 1, c.pad, c.dil) : null;
          return { dw: dwT.dataSync() as Float32Array, dx: dx ? (dx.dataSync() as Float32Array) : null };
        }),
      );
      expect(maxError(got.dw, takeDilatedTaps(refExact.dw, c.filter, c.dil[0], c.dil[1])), `filter ${i}`).toBeLessThan(
        TOL,
      );
      if (got.dx) {
        expect(maxError(got.dx, refExact.dx), `input ${i}`).toBeLessThan(TOL);
      }
    }
  }, 60_000);

  it("trains Conv2D, DepthwiseConv2D and SeparableConv2D layers on wasm with the same gradients as cpu", async () => {
    const build = () => {
      const m = tf.sequential();
      m.add(
        tf.layers.conv2d({
          inputShape: [12, 12, 2],
          filters: 4,
          kernelSize: 3,
          strides: 2,
          padding: "same",
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
      );
      m.add(
        tf.layers.depthwiseConv2d({
          kernelSize: 3,
          depthMultiplier: 2,
          padding: "valid",
          depthwiseInitializer: tf.initializers.glorotUniform({ seed: 2 }),
        }),
      );
      m.add(
        tf.layers.separableConv2d({
          filters: 3,
          kernelSize: 2,
          padding: "same",
          depthwiseInitializer: tf.initializers.glorotUniform({ seed: 3 }),
          pointwiseInitializer: tf.initializers.glorotUniform({ seed: 4 }),
        }),
      );
      m.add(tf.layers.flatten());
      m.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }));
      return m;
    };
    const grads = () => {
      const m = build();
      const out = tidyValue(() => {
        const x = tf.tensor4d(values(4 * 12 * 12 * 2, 77), [4, 12, 12, 2]);
        const y = tf.tensor2d(values(8, 78), [4, 2]);
        const { grads: g } = tf.variableGrads(
          () => tf.losses.meanSquaredError(y, m.apply(x) as tf.Tensor) as tf.Scalar,
        );
        return m.trainableWeights.map((w) => Array.from(g[w.name]!.dataSync()));
      });
      m.dispose();
      return out;
    };
    const wasm = await on("wasm", grads);
    const cpu = await on("cpu", grads);
    expect(wasm.length).toBe(cpu.length);
    for (let i = 0; i < wasm.length; i++) expect(maxError(wasm[i]!, cpu[i]!), `weight ${i}`).toBeLessThan(TOL);
  });

  it("the FusedBatchNorm gradient (broadcast, no Tile) is dy x scale / sqrt(variance + eps), in training mode too", async () => {
    expect(registerBatchNormGradient()).toBe(false); // already registered at import
    const shape: Shape4 = [3, 4, 5, 6];
    const direct = () =>
      tidyValue(() => {
        const x = tf.tensor4d(values(size(shape), 11), shape);
        const w = tf.tensor4d(values(size(shape), 12), shape);
        const mean = tf.tensor1d(values(6, 13));
        const variance = tf.abs(tf.tensor1d(values(6, 14)));
        const scale = tf.tensor1d(values(6, 15));
        const offset = tf.tensor1d(values(6, 16));
        const g = tf.grads((a: tf.Tensor, v: tf.Tensor, s: tf.Tensor) =>
          tf.sum(tf.mul(tf.batchNorm(a, mean, v, offset, s, 1e-3), w)),
        );
        const [dx, dv, ds] = g([x, variance, scale]);
        const expected = tf.mul(w, tf.div(scale, tf.sqrt(tf.add(variance, 1e-3))));
        return {
          dx: Array.from(dx!.dataSync()),
          dv: Array.from(dv!.dataSync()),
          ds: Array.from(ds!.dataSync()),
          expected: Array.from(expected.dataSync()),
        };
      });
    const training = () => {
      const m = tf.sequential();
      m.add(
        tf.layers.conv2d({
          inputShape: [6, 6, 2],
          filters: 3,
          kernelSize: 3,
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
      );
      m.add(tf.layers.batchNormalization({ momentum: 0.9 }));
      m.add(tf.layers.reLU({ maxValue: 6 }));
      m.add(tf.layers.flatten());
      m.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
      const out = tidyValue(() => {
        const x = tf.tensor4d(values(5 * 6 * 6 * 2, 21), [5, 6, 6, 2]);
        const y = tf.tensor2d(values(10, 22), [5, 2]);
        const { grads: g } = tf.variableGrads(
          () => tf.losses.meanSquaredError(y, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        );
        return m.trainableWeights.map((v) => Array.from(g[v.name]!.dataSync()));
      });
      m.dispose();
      return out;
    };
    for (const backend of ["wasm", "cpu"] as const) {
      const r = await on(backend, direct);
      expect(maxError(r.dx, r.expected), backend).toBeLessThan(1e-5);
      expect(r.dv.every(Number.isFinite) && r.ds.every(Number.isFinite)).toBe(true);
    }
    const wasm = await on("wasm", training);
    const cpu = await on("cpu", training);
    for (let i = 0; i < wasm.length; i++) expect(maxError(wasm[i]!, cpu[i]!), `weight ${i}`).toBeLessThan(TOL);
    await initBackend({ force: "wasm" });
  });
});
