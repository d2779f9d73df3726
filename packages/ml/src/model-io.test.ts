import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend.ts";
import {
  loadModel,
  modelFileSize,
  readModelArtifacts,
  saveModel,
  writeModelArtifacts,
  fileSystemIO,
} from "./model-io.ts";
import { tf } from "./tf.ts";

let root: string;
let n = 0;
const fresh = () => join(root, `m${++n}`);

function mlp(seed = 1): tf.Sequential {
  const m = tf.sequential();
  m.add(
    tf.layers.dense({
      inputShape: [5],
      units: 7,
      activation: "relu",
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
    }),
  );
  m.add(
    tf.layers.dense({
      units: 3,
      activation: "softmax",
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
    }),
  );
  return m;
}

function functional(): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 2] });
  const a = tf.layers
    .conv2d({
      filters: 3,
      kernelSize: 3,
      padding: "same",
      kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
    })
    .apply(input) as tf.SymbolicTensor;
  const b = tf.layers
    .conv2d({ filters: 3, kernelSize: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) })
    .apply(input) as tf.SymbolicTensor;
  const s = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
  const f = tf.layers.flatten().apply(s) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) })
    .apply(f) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function predict(m: tf.LayersModel, shape: number[]): number[] {
  return tf.tidy(() => {
    const x = tf
      .linspace(
        -1,
        1,
        shape.reduce((a, b) => a * b, 1),
      )
      .reshape(shape);
    return Array.from((m.predict(x) as tf.Tensor).dataSync());
  });
}

beforeAll(async () => {
  await initBackend();
  root = await mkdtemp(join(tmpdir(), "costgate-model-io-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("saveModel / loadModel", () => {
  it("round-trips a Sequential model: same predictions, files listed with their sizes", async () => {
    const m = mlp();
    const dir = fresh();
    const saved = await saveModel(m, dir);
    expect(saved.files.map((f) => f.name)).toEqual(["model.json", "group1-shard1of1.bin"]);
    expect(saved.weightBytes).toBe((5 * 7 + 7 + 7 * 3 + 3) * 4);
    expect(await modelFileSize(dir)).toBe(saved.totalBytes);
    const loaded = await loadModel(join(dir, "model.json"));
    expect(predict(loaded, [2, 5])).toEqual(predict(m, [2, 5]));
    m.dispose();
    loaded.dispose();
  });

  it("round-trips a functional model with branches", async () => {
    const m = functional();
    const dir = fresh();
    await saveModel(m, dir);
    const loaded = await loadModel(dir);
    expect(loaded.layers.map((l) => l.getClassName())).toEqual(m.layers.map((l) => l.getClassName()));
    expect(predict(loaded, [1, 6, 6, 2])).toEqual(predict(m, [1, 6, 6, 2]));
    m.dispose();
    loaded.dispose();
  });

  it("works as a tfjs IOHandler both ways", async () => {
    const m = mlp(9);
    const dir = fresh();
    await m.save(fileSystemIO(dir));
    const loaded = await tf.loadLayersModel(fileSystemIO(dir));
    expect(predict(loaded, [1, 5])).toEqual(predict(m, [1, 5]));
    m.dispose();
    loaded.dispose();
  });

  it("replaces an earlier save in the same directory, but refuses a directory holding other files", async () => {
    const dir = fresh();
    await saveModel(mlp(1), dir, { shardSizeBytes: 64 });
    const second = mlp(20);
    await saveModel(second, dir);
    expect((await readdir(dir)).sort()).toEqual(["group1-shard1of1.bin", "model.json"]);
    const loaded = await loadModel(dir);
    expect(predict(loaded, [1, 5])).toEqual(predict(second, [1, 5]));
    await writeFile(join(dir, "notes.txt"), "mine");
    await expect(saveModel(second, dir)).rejects.toMatchObject({
      code: "BAD_PARAM",
      message: expect.stringContaining("notes.txt"),
    });
    expect(await readFile(join(dir, "notes.txt"), "utf8")).toBe("mine");
    second.dispose();
    loaded.dispose();
  });
});

describe("writeModelArtifacts / readModelArtifacts", () => {
  it("cuts weights into shards named group1-shardIofN.bin and reads them back in order", async () => {
    const m = mlp(4);
    const dir = fresh();
    const saved = await saveModel(m, dir, { shardSizeBytes: 100 });
    const total = (5 * 7 + 7 + 7 * 3 + 3) * 4; // 264 bytes
    expect(saved.files.slice(1).map((f) => [f.name, f.bytes])).toEqual([
      ["group1-shard1of3.bin", 100],
      ["group1-shard2of3.bin", 100],
      ["group1-shard3of3.bin", total - 200],
    ]);
    const json = JSON.parse(await readFile(saved.modelJsonPath, "utf8"));
    expect(json.weightsManifest[0].paths).toEqual([
      "group1-shard1of3.bin",
      "group1-shard2of3.bin",
      "group1-shard3of3.bin",
    ]);
    expect(json.format).toBe("layers-model");
    const loaded = await loadModel(dir);
    expect(predict(loaded, [3, 5])).toEqual(predict(m, [3, 5]));
    m.dispose();
    loaded.dispose();
  });

  it("reads a manifest with several groups", async () => {
    const m = mlp(5);
    const dir = fresh();
    const saved = await saveModel(m, dir);
    const json = JSON.parse(await readFile(saved.modelJsonPath, "utf8"));
    const bytes = await readFile(join(dir, "group1-shard1of1.bin"));
    const weights = json.weightsManifest[0].weights;
    // first weight (kernel 5x7) in group 1, the rest in group 2 split over two files
    const k = 5 * 7 * 4;
    await writeFile(join(dir, "a.bin"), bytes.subarray(0, k));
    await writeFile(join(dir, "b1.bin"), bytes.subarray(k, k + 10));
    await writeFile(join(dir, "b2.bin"), bytes.subarray(k + 10));
    json.weightsManifest = [
      { paths: ["a.bin"], weights: weights.slice(0, 1) },
      { paths: ["b1.bin", "b2.bin"], weights: weights.slice(1) },
    ];
    await writeFile(saved.modelJsonPath, JSON.stringify(json));
    const loaded = await loadModel(dir);
    expect(predict(loaded, [2, 5])).toEqual(predict(m, [2, 5]));
    m.dispose();
    loaded.dispose();
  });

  it("writes quantized weight specs untouched and tfjs decodes them at load", async () => {
    const m = mlp(6);
    const dir = fresh();
    const saved = await saveModel(m, dir);
    const art = await readModelArtifacts(saved.modelJsonPath);
    // re-encode the first kernel as uint8: value = q * scale + min
    const specs = art.weightSpecs!.map((s) => ({ ...s }));
    const floats = new Float32Array(art.weightData as ArrayBuffer);
    const first = specs[0]!;
    const count = first.shape.reduce((a, b) => a * b, 1);
    const vals = floats.subarray(0, count);
    const min = Math.min(...vals);
    const scale = (Math.max(...vals) - min) / 255;
    const q = Uint8Array.from(vals, (v) => Math.round((v - min) / scale));
    first.quantization = { dtype: "uint8", scale, min };
    const rest = new Uint8Array(floats.buffer, count * 4);
    const data = new Uint8Array(q.byteLength + rest.byteLength);
    data.set(q, 0);
    data.set(rest, q.byteLength);
    const qdir = fresh();
    const written = await writeModelArtifacts(qdir, { ...art, weightSpecs: specs, weightData: data.buffer });
    expect(written.weightBytes).toBe(saved.weightBytes - count * 3);
    const json = JSON.parse(await readFile(written.modelJsonPath, "utf8"));
    expect(json.weightsManifest[0].weights[0].quantization).toEqual({ dtype: "uint8", scale, min });
    const loaded = await loadModel(qdir);
    const kernel = loaded.layers[0]!.getWeights()[0]!.dataSync();
    for (let i = 0; i < count; i++) expect(kernel[i]).toBeCloseTo(q[i]! * scale + min, 5);
    expect(Math.max(...Array.from(kernel, (v, i) => Math.abs(v - vals[i]!)))).toBeLessThanOrEqual(scale / 2 + 1e-6);
    m.dispose();
    loaded.dispose();
  });

  it("refuses weight data that does not match the specs and leaves no directory behind", async () => {
    const dir = fresh();
    await expect(
      writeModelArtifacts(dir, {
        modelTopology: { class_name: "Sequential", config: {} },
        weightSpecs: [{ name: "w", shape: [2, 2], dtype: "float32" }],
        weightData: new ArrayBuffer(12),
      }),
    ).rejects.toMatchObject({ code: "WEIGHTS_MISMATCH", message: expect.stringMatching(/12 bytes.*16 bytes/) });
    await expect(readdir(dir)).rejects.toThrow();
    expect((await readdir(root)).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });
});

describe("loading refuses what is not a LayersModel", () => {
  async function withModelJson(content: string | object, files: Record<string, Uint8Array> = {}): Promise<string> {
    const dir = fresh();
    const m = mlp();
    await saveModel(m, dir);
    m.dispose();
    await rm(join(dir, "group1-shard1of1.bin"));
    await writeFile(join(dir, "model.json"), typeof content === "string" ? content : JSON.stringify(content));
    for (const [name, data] of Object.entries(files)) await writeFile(join(dir, name), data);
    return join(dir, "model.json");
  }

  it("a missing model.json", async () => {
    await expect(loadModel(join(root, "nope", "model.json"))).rejects.toMatchObject({
      code: "MODEL_FILE_MISSING",
      message: expect.stringContaining("no model file at"),
    });
  });

  it("a file that is not JSON", async () => {
    await expect(loadModel(await withModelJson("PK\u0003\u0004 zip bytes"))).rejects.toMatchObject({
      code: "NOT_A_LAYERS_MODEL",
      message: expect.stringContaining("not valid JSON"),
    });
  });

  it("random JSON and JSON without modelTopology", async () => {
    await expect(loadModel(await withModelJson({ hello: "world" }))).rejects.toMatchObject({
      code: "NOT_A_LAYERS_MODEL",
      message: expect.stringContaining("no modelTopology"),
    });
    await expect(loadModel(await withModelJson([1, 2, 3]))).rejects.toMatchObject({ code: "NOT_A_LAYERS_MODEL" });
    await expect(
      loadModel(await withModelJson({ modelTopology: { foo: 1 }, weightsManifest: [] })),
    ).rejects.toMatchObject({ code: "NOT_A_LAYERS_MODEL", message: expect.stringContaining("class_name") });
  });

  it("a graph model", async () => {
    const graph = {
      format: "graph-model",
      modelTopology: { node: [{ name: "x", op: "Placeholder" }], versions: { producer: 1 } },
      weightsManifest: [],
    };
    await expect(loadModel(await withModelJson(graph))).rejects.toMatchObject({
      code: "NOT_A_LAYERS_MODEL",
      message: expect.stringContaining("graph model"),
    });
  });

  it("a missing, short or long weight file", async () => {
    const dir = fresh();
    const saved = await saveModel(mlp(), dir);
    const bytes = await readFile(join(dir, "group1-shard1of1.bin"));
    await rm(join(dir, "group1-shard1of1.bin"));
    await expect(loadModel(saved.modelJsonPath)).rejects.toMatchObject({
      code: "MODEL_FILE_MISSING",
      message: expect.stringContaining('"group1-shard1of1.bin"'),
    });
    await writeFile(join(dir, "group1-shard1of1.bin"), bytes.subarray(0, 100));
    await expect(loadModel(saved.modelJsonPath)).rejects.toMatchObject({
      code: "WEIGHTS_MISMATCH",
      message: expect.stringMatching(/hold 100 bytes, but its 4 weights need exactly 264 bytes/),
    });
    await writeFile(join(dir, "group1-shard1of1.bin"), Buffer.concat([bytes, Buffer.alloc(4)]));
    await expect(loadModel(saved.modelJsonPath)).rejects.toMatchObject({ code: "WEIGHTS_MISMATCH" });
    await expect(modelFileSize(dir)).resolves.toBe(saved.totalBytes + 4);
  });

  it("a weight path outside the model directory", async () => {
    const dir = fresh();
    const saved = await saveModel(mlp(), dir);
    const json = JSON.parse(await readFile(saved.modelJsonPath, "utf8"));
    json.weightsManifest[0].paths = ["../m1/group1-shard1of1.bin"];
    await writeFile(saved.modelJsonPath, JSON.stringify(json));
    await expect(loadModel(dir)).rejects.toMatchObject({
      code: "NOT_A_LAYERS_MODEL",
      message: expect.stringContaining("outside"),
    });
  });

  it("a topology tfjs cannot build (unknown layer class)", async () => {
    const dir = fresh();
    const saved = await saveModel(mlp(), dir);
    const json = JSON.parse(await readFile(saved.modelJsonPath, "utf8"));
    json.modelTopology.config.layers[0].class_name = "MyCustomLayer";
    await writeFile(saved.modelJsonPath, JSON.stringify(json));
    await expect(loadModel(dir)).rejects.toMatchObject({
      code: "NOT_A_LAYERS_MODEL",
      message: expect.stringContaining("MyCustomLayer"),
    });
  });

  it("a manifest weight with a bad dtype or quantization", async () => {
    const dir = fresh();
    const saved = await saveModel(mlp(), dir);
    const json = JSON.parse(await readFile(saved.modelJsonPath, "utf8"));
    json.weightsManifest[0].weights[0].quantization = { dtype: "int4", scale: 1, min: 0 };
    await writeFile(saved.modelJsonPath, JSON.stringify(json));
    await expect(loadModel(dir)).rejects.toMatchObject({
      code: "NOT_A_LAYERS_MODEL",
      message: expect.stringContaining('quantization dtype "int4"; supported: uint8, uint16, float16'),
    });
  });

  it("a quantized bool weight, refused as the upload refuses it", async () => {
    const dir = fresh();
    await mkdir(dir);
    const json = {
      format: "layers-model",
      modelTopology: { class_name: "Sequential", config: { name: "s", layers: [] } },
      weightsManifest: [
        {
          paths: ["w.bin"],
          weights: [{ name: "flags", shape: [4], dtype: "bool", quantization: { dtype: "uint8", scale: 1, min: 0 } }],
        },
      ],
    };
    await writeFile(join(dir, "model.json"), JSON.stringify(json));
    await writeFile(join(dir, "w.bin"), new Uint8Array(4));
    const refusal = {
      code: "NOT_A_LAYERS_MODEL",
      message: expect.stringMatching(
        /weightsManifest\[0\]\.weights\[0\] \("flags"\) is a bool weight quantized as uint8/,
      ),
    };
    await expect(readModelArtifacts(dir)).rejects.toMatchObject(refusal);
    await expect(loadModel(dir)).rejects.toMatchObject(refusal);
  });

  it("leaks no tensors when it refuses", async () => {
    const notAModel = await withModelJson({ hello: 1 });
    const dir = fresh();
    const m = mlp();
    const saved = await saveModel(m, dir);
    m.dispose();
    const json = JSON.parse(await readFile(saved.modelJsonPath, "utf8"));
    json.weightsManifest[0].weights[3].shape = [4]; // bias of 3 declared as 4, file padded to match
    await writeFile(saved.modelJsonPath, JSON.stringify(json));
    await writeFile(
      join(dir, "group1-shard1of1.bin"),
      Buffer.concat([await readFile(join(dir, "group1-shard1of1.bin")), Buffer.alloc(4)]),
    );
    const before = tf.memory().numTensors;
    await expect(loadModel(notAModel)).rejects.toThrow();
    await expect(loadModel(dir)).rejects.toMatchObject({ code: "NOT_A_LAYERS_MODEL" });
    expect(tf.memory().numTensors).toBe(before);
  });
});
