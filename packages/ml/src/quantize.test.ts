import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend.ts";
import { isMlError } from "./errors.ts";
import {
  cnnWithBatchNorm,
  denseSequential,
  maxAbsDiff,
  predictArray,
  randomInput,
  randomizeWeights,
} from "./fixtures/small-models.ts";
import { pruneMagnitude } from "./prune-magnitude.ts";
import { float16BitsToFloat32, float32ToFloat16Bits, quantizeAffine } from "./quantize-codec.ts";
import {
  modelToArtifacts,
  quantizeArtifacts,
  quantizeModel,
  quantizeModelDetailed,
  readWeightEntries,
} from "./quantize.ts";
import { tf } from "./tf.ts";

beforeAll(async () => {
  await initBackend();
});

function byteLength(a: tf.io.ModelArtifacts): number {
  return tf.io.CompositeArrayBuffer.join(a.weightData).byteLength;
}

/** What plain tfjs decodes from the artifacts, by weight name. */
function decodeWithTfjs(a: tf.io.ModelArtifacts): Map<string, Float32Array> {
  const map = tf.io.decodeWeights(a.weightData as ArrayBuffer, a.weightSpecs ?? []);
  const out = new Map<string, Float32Array>();
  for (const [name, t] of Object.entries(map)) {
    out.set(name, new Float32Array(t.dataSync() as Float32Array));
    t.dispose();
  }
  return out;
}

function originalWeights(model: tf.LayersModel): Map<string, Float32Array> {
  return new Map(model.weights.map((w) => [w.originalName, new Float32Array(w.read().dataSync() as Float32Array)]));
}

describe("quantize codec", () => {
  it("round-trips every finite float16 bit pattern and decodes like tfjs", () => {
    const bits = new Uint16Array(65536);
    for (let b = 0; b < 65536; b++) bits[b] = b;
    const finite = [...bits].filter((b) => (b & 0x7c00) !== 0x7c00);
    expect(finite.filter((b) => float32ToFloat16Bits(float16BitsToFloat32(b)) !== b)).toEqual([]);
    const decoded = tf.io.decodeWeights(bits.buffer, [
      { name: "h", shape: [65536], dtype: "float32", quantization: { dtype: "float16" } },
    ]);
    const tfjs = decoded["h"]?.dataSync() as Float32Array;
    expect(finite.filter((b) => tfjs[b] !== Math.fround(float16BitsToFloat32(b)))).toEqual([]);
    decoded["h"]?.dispose();
  });

  it("rounds float32 to the nearest float16 and saturates instead of overflowing", () => {
    expect(float16BitsToFloat32(float32ToFloat16Bits(1 + 2 ** -11))).toBe(1); // halfway → even
    expect(float16BitsToFloat32(float32ToFloat16Bits(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
    expect(float16BitsToFloat32(float32ToFloat16Bits(1e6))).toBe(65504);
    expect(float16BitsToFloat32(float32ToFloat16Bits(-1e6))).toBe(-65504);
    expect(float16BitsToFloat32(float32ToFloat16Bits(1e-9))).toBe(0);
  });

  it("keeps zero exactly representable in affine uint8 (nudged range)", () => {
    const q = quantizeAffine(new Float32Array([-0.37, 0, 0.0001, 1.91]), "uint8");
    expect(q.values[1]! * q.scale + q.min).toBeCloseTo(0, 12);
  });
});

describe("quantizeModel", () => {
  it("writes uint8 per-tensor affine weights that plain tf.loadLayersModel reads, error ≤ scale/2, ~4× smaller", async () => {
    const model = cnnWithBatchNorm();
    randomizeWeights(model, 31);
    const float = await modelToArtifacts(model);
    const q = await quantizeModel(model, { dtype: "uint8" });
    for (const spec of q.weightSpecs ?? []) {
      expect(spec.dtype).toBe("float32");
      expect(spec.quantization).toEqual({ dtype: "uint8", scale: expect.any(Number), min: expect.any(Number) });
    }
    expect(byteLength(float) / byteLength(q)).toBe(4);
    const original = originalWeights(model);
    const decoded = decodeWithTfjs(q);
    for (const spec of q.weightSpecs ?? []) {
      const scale = spec.quantization?.scale as number;
      const a = original.get(spec.name) as Float32Array;
      const b = decoded.get(spec.name) as Float32Array;
      const limit = Math.max(...a.map(Math.abs));
      expect(maxAbsDiff(a, b), spec.name).toBeLessThanOrEqual(scale / 2 + limit * 1e-6);
    }
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(q));
    const x = randomInput([4, 8, 8, 1], 32);
    expect(maxAbsDiff(predictArray(model, x), predictArray(loaded, x))).toBeLessThan(0.2);
    x.dispose();
    model.dispose();
    loaded.dispose();
  });

  it("writes uint16 and float16 with their documented error bounds and 2× smaller files", async () => {
    const model = denseSequential();
    randomizeWeights(model, 33);
    const original = originalWeights(model);
    const float = await modelToArtifacts(model);
    for (const dtype of ["uint16", "float16"] as const) {
      const q = await quantizeModel(model, { dtype });
      expect(byteLength(float) / byteLength(q)).toBe(2);
      const decoded = decodeWithTfjs(q);
      for (const spec of q.weightSpecs ?? []) {
        expect(spec.quantization?.dtype).toBe(dtype);
        const a = original.get(spec.name) as Float32Array;
        const b = decoded.get(spec.name) as Float32Array;
        if (dtype === "uint16") {
          expect(maxAbsDiff(a, b)).toBeLessThanOrEqual((spec.quantization?.scale as number) / 2 + 1e-7);
        } else {
          a.forEach((v, i) =>
            expect(Math.abs(v - (b[i] as number))).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -25),
          );
        }
      }
      const loaded = await tf.loadLayersModel(tf.io.fromMemory(q));
      const x = randomInput([4, 6], 34);
      expect(maxAbsDiff(predictArray(model, x), predictArray(loaded, x))).toBeLessThan(1e-2);
      x.dispose();
      loaded.dispose();
    }
    model.dispose();
  });

  it("mixes dtypes per tensor and keeps pruned zeros exactly zero", async () => {
    const model = denseSequential();
    randomizeWeights(model, 35);
    const { model: sparse } = await pruneMagnitude(model, { sparsity: 0.5 });
    const { artifacts, tensors, bytesBefore, bytesAfter } = await quantizeModelDetailed(sparse, {
      dtype: "uint8",
      tensors: { "hidden1/kernel": "float16", "out/bias": "float32", "hidden2/kernel": "uint16" },
    });
    const storage = Object.fromEntries(tensors.map((t) => [t.name, t.storage]));
    expect(storage).toEqual({
      "hidden1/kernel": "float16",
      "hidden1/bias": "uint8",
      "hidden2/kernel": "uint16",
      "hidden2/bias": "uint8",
      "out/kernel": "uint8",
      "out/bias": "float32",
    });
    expect(artifacts.weightSpecs?.find((s) => s.name === "out/bias")?.quantization).toBeUndefined();
    // 48×2 + 8 + 64×2 + 8 + 24 + 3×4 bytes
    expect(bytesAfter).toBe(96 + 8 + 128 + 8 + 24 + 12);
    expect(bytesBefore).toBe((48 + 8 + 64 + 8 + 24 + 3) * 4);
    const original = originalWeights(sparse);
    const decoded = decodeWithTfjs(artifacts);
    for (const name of ["hidden1/kernel", "hidden2/kernel", "out/kernel"]) {
      const a = original.get(name) as Float32Array;
      const b = decoded.get(name) as Float32Array;
      a.forEach((v, i) => {
        if (v === 0) expect(b[i]).toBe(0);
      });
    }
    model.dispose();
    sparse.dispose();
  });

  it("leaves int32 weights alone", () => {
    const f = new Float32Array([0.5, -1, 2]);
    const i = new Int32Array([7, -3]);
    const data = new Uint8Array(12 + 8);
    data.set(new Uint8Array(f.buffer), 0);
    data.set(new Uint8Array(i.buffer), 12);
    const artifacts: tf.io.ModelArtifacts = {
      modelTopology: {},
      weightSpecs: [
        { name: "w", shape: [3], dtype: "float32" },
        { name: "steps", shape: [2], dtype: "int32" },
      ],
      weightData: data.buffer,
    };
    const { artifacts: q, tensors } = quantizeArtifacts(artifacts, { dtype: "uint8" });
    expect(tensors.map((t) => t.storage)).toEqual(["uint8", "unchanged"]);
    expect(q.weightSpecs?.[1]).toEqual({ name: "steps", shape: [2], dtype: "int32" });
    const decoded = tf.io.decodeWeights(q.weightData as ArrayBuffer, q.weightSpecs ?? []);
    expect([...(decoded["steps"]?.dataSync() ?? [])]).toEqual([7, -3]);
    Object.values(decoded).forEach((t) => t.dispose());
    expect(() => quantizeArtifacts(artifacts, { dtype: "uint8", tensors: { steps: "uint8" } })).toThrow(
      /weight 'steps' is int32; only float32 weights can be quantized/,
    );
  });

  it("re-quantizes artifacts that are already quantized (decodes first)", async () => {
    const model = denseSequential();
    randomizeWeights(model, 36);
    const f16 = await quantizeModel(model, { dtype: "float16" });
    const entries = readWeightEntries(f16);
    const u8 = quantizeArtifacts(f16, { dtype: "uint8" });
    const decoded = decodeWithTfjs(u8.artifacts);
    for (const e of entries) {
      expect(maxAbsDiff(e.values as Float32Array, decoded.get(e.spec.name) as Float32Array)).toBeLessThanOrEqual(
        (u8.artifacts.weightSpecs?.find((s) => s.name === e.spec.name)?.quantization?.scale as number) / 2 + 1e-7,
      );
    }
    model.dispose();
  });

  it("refuses unknown dtypes and unknown tensors with a clear MlError", async () => {
    const model = denseSequential();
    const cases: [unknown, RegExp][] = [
      [{ dtype: "int8" }, /dtype must be one of uint8, uint16, float16 \(got "int8"\)/],
      [{}, /dtype must be one of uint8, uint16, float16 \(got undefined\)/],
      [
        { dtype: "uint8", tensors: { "hidden1/kernel": "int4" } },
        /tensors\['hidden1\/kernel'\] must be one of uint8, uint16, float16, float32/,
      ],
      [
        { dtype: "uint8", tensors: { "nope/kernel": "uint8" } },
        /the model has no weight 'nope\/kernel' \(weights: hidden1\/kernel, /,
      ],
    ];
    for (const [opts, message] of cases) {
      const err = await quantizeModel(model, opts as never).catch((e: unknown) => e);
      expect(isMlError(err, "BAD_PARAM"), String(err)).toBe(true);
      expect((err as Error).message).toMatch(message);
    }
    model.dispose();
  });
});
