import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend.ts";
import { inspectModel } from "./inspect.ts";
import { loadModel, modelFileSize, readModelArtifacts, saveModel, writeModelArtifacts } from "./model-io.ts";
import { buildReferenceModel } from "./reference/reference-models.ts";
import { tf } from "./tf.ts";

let root: string;
beforeAll(async () => {
  await initBackend();
  root = await mkdtemp(join(tmpdir(), "costgate-inspect-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("inspectModel", () => {
  it("a Sequential MLP: layers, shapes, parameters, MACs", () => {
    const m = buildReferenceModel("tabular-mlp", 1);
    const r = inspectModel(m);
    expect(r.className).toBe("Sequential");
    expect(r.inputShapes).toEqual([[null, 40]]);
    expect(r.outputShapes).toEqual([[null, 10]]);
    expect(r.layers.map((l) => [l.name, l.className, l.outputShape, l.params])).toEqual([
      ["hidden1", "Dense", [null, 256], 40 * 256 + 256],
      ["hidden2", "Dense", [null, 128], 256 * 128 + 128],
      ["classes", "Dense", [null, 10], 128 * 10 + 10],
    ]);
    expect(r.parameterCount).toBe(m.countParams());
    expect(r.trainableParameterCount).toBe(r.parameterCount);
    expect(r.macs).toBe(40 * 256 + 256 * 128 + 128 * 10);
    expect(r.unknownLayers).toEqual([]);
    expect(r.weights.every((w) => w.storageDtype === "float32")).toBe(true);
    expect(r.weightStorageBytes).toBe(r.parameterCount * 4);
    expect(r.fileSizeBytes).toBeNull();
    // biases start at zero: non-zero count excludes them
    expect(r.nonZeroParameterCount).toBe(40 * 256 + 256 * 128 + 128 * 10);
    m.dispose();
  });

  it("the digits CNN: conv and pooling MACs from the layer shapes", () => {
    const m = buildReferenceModel("digits-cnn", 1);
    const r = inspectModel(m);
    const byName = Object.fromEntries(r.layers.map((l) => [l.name, l]));
    expect(byName.conv1!.outputShape).toEqual([null, 26, 26, 32]);
    expect(byName.conv1!.macs).toBe(26 * 26 * 32 * 9 * 1);
    expect(byName.pool1!.macs).toBe(13 * 13 * 32 * 4);
    expect(byName.conv2!.macs).toBe(11 * 11 * 64 * 9 * 32);
    expect(byName.pool2!.macs).toBe(5 * 5 * 64 * 4);
    expect(byName.flatten!.macs).toBe(0);
    expect(byName.dense!.macs).toBe(1600 * 64);
    expect(r.macs).toBe(r.layers.reduce((a, l) => a + l.macs, 0));
    expect(r.parameterCount).toBe(m.countParams());
    m.dispose();
  });

  it("a functional model with branches, BatchNorm, depthwise/separable convs, merges and an unknown layer", () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const a = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, padding: "same", name: "a" })
      .apply(input) as tf.SymbolicTensor;
    const bn = tf.layers.batchNormalization({ name: "bn" }).apply(a) as tf.SymbolicTensor;
    const relu = tf.layers.activation({ activation: "relu", name: "relu" }).apply(bn) as tf.SymbolicTensor;
    const dw = tf.layers
      .depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: "same", name: "dw" })
      .apply(input) as tf.SymbolicTensor;
    const sep = tf.layers
      .separableConv2d({ filters: 4, kernelSize: 3, padding: "same", name: "sep" })
      .apply(dw) as tf.SymbolicTensor;
    const add = tf.layers.add({ name: "add" }).apply([relu, sep]) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate({ name: "cat" }).apply([add, relu]) as tf.SymbolicTensor;
    const gap = tf.layers.globalAveragePooling2d({ name: "gap" }).apply(cat) as tf.SymbolicTensor;
    const seq = tf.layers.reshape({ targetShape: [2, 4], name: "seq" }).apply(gap) as tf.SymbolicTensor;
    const rnn = tf.layers.simpleRNN({ units: 3, name: "rnn" }).apply(seq) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, activation: "softmax", name: "out" }).apply(rnn) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: out });
    const r = inspectModel(m);
    const macs = Object.fromEntries(r.layers.map((l) => [l.name, l.macs]));
    expect(r.className).toBe("Functional");
    expect(macs.a).toBe(8 * 8 * 4 * 9 * 3);
    expect(macs.bn).toBe(8 * 8 * 4);
    expect(macs.relu).toBe(8 * 8 * 4);
    expect(macs.dw).toBe(8 * 8 * 6 * 9);
    expect(macs.sep).toBe(8 * 8 * 6 * 9 + 8 * 8 * 6 * 4);
    expect(macs.add).toBe(8 * 8 * 4);
    expect(macs.cat).toBe(0);
    expect(macs.gap).toBe(8 * 8 * 8);
    expect(macs.out).toBe(3 * 2);
    expect(r.unknownLayers).toEqual(["rnn (SimpleRNN)"]);
    expect(r.layers.find((l) => l.name === "rnn")!.macsKnown).toBe(false);
    // BatchNorm moving statistics are not trainable
    expect(r.trainableParameterCount).toBe(r.parameterCount - 2 * 4);
    expect(r.parameterCount).toBe(m.countParams());
    m.dispose();
  });

  it("counts a shared layer once per call", () => {
    const input = tf.input({ shape: [5] });
    const shared = tf.layers.dense({ units: 5, name: "shared" });
    const h = shared.apply(shared.apply(input)) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: h });
    expect(inspectModel(m).macs).toBe(2 * 25);
    m.dispose();
  });

  it("counts non-zero parameters exactly", () => {
    const m = buildReferenceModel("iris-mlp", 1);
    const [k, b] = m.layers[0]!.getWeights();
    const vals = Float32Array.from(k!.dataSync(), (v, i) => (i < 10 ? 0 : v));
    m.layers[0]!.setWeights([tf.tensor(vals, k!.shape), tf.onesLike(b!)]);
    const r = inspectModel(m);
    expect(r.nonZeroParameterCount).toBe(4 * 16 - 10 + 16 + 16 * 3);
    expect(r.sparsity).toBeCloseTo(1 - r.nonZeroParameterCount / r.parameterCount, 12);
    expect(r.weights.find((w) => w.name === "hidden/kernel")!.nonZero).toBe(54);
    m.dispose();
  });

  it("reads storage dtypes and file size from the files a model was loaded from", async () => {
    const m = buildReferenceModel("iris-mlp", 2);
    const dir = join(root, "q");
    const saved = await saveModel(m, join(root, "f32"));
    const art = await readModelArtifacts(saved.modelJsonPath);
    // store the first kernel as float16 (tf encodes/decodes it; the manifest names the dtype)
    const specs = art.weightSpecs!.map((s) => ({ ...s }));
    specs[0]!.quantization = { dtype: "float16" };
    const floats = new Float32Array(art.weightData as ArrayBuffer);
    const n = 4 * 16;
    const half = new Uint16Array(n);
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    for (let i = 0; i < n; i++) {
      f32[0] = floats[i]!;
      const x = u32[0]!;
      const sign = (x >>> 16) & 0x8000;
      const exp = ((x >>> 23) & 0xff) - 127 + 15;
      half[i] = exp <= 0 ? sign : sign | (exp << 10) | ((x >>> 13) & 0x3ff);
    }
    const rest = new Uint8Array(floats.buffer, n * 4);
    const data = new Uint8Array(n * 2 + rest.byteLength);
    data.set(new Uint8Array(half.buffer), 0);
    data.set(rest, n * 2);
    await writeModelArtifacts(dir, { ...art, weightSpecs: specs, weightData: data.buffer });
    const loaded = await loadModel(dir);
    const r = inspectModel(loaded, { modelJsonPath: join(dir, "model.json") });
    expect(r.weights.find((w) => w.name === "hidden/kernel")!.storageDtype).toBe("float16");
    expect(r.weights.find((w) => w.name === "hidden/bias")!.storageDtype).toBe("float32");
    expect(r.parametersByStorageDtype).toEqual({ float16: 64, float32: 16 + 48 + 3 });
    expect(r.weightStorageBytes).toBe(64 * 2 + (16 + 48 + 3) * 4);
    expect(r.fileSizeBytes).toBe(await modelFileSize(dir));
    expect(inspectModel(m, { modelJsonPath: saved.modelJsonPath }).fileSizeBytes).toBe(saved.totalBytes);
    expect(() => inspectModel(m, { modelJsonPath: join(root, "none", "model.json") })).toThrow(/no model file/);
    m.dispose();
    loaded.dispose();
  });

  it("leaks no tensors", () => {
    const m = buildReferenceModel("digits-cnn", 3);
    const before = tf.memory().numTensors;
    inspectModel(m);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });
});
