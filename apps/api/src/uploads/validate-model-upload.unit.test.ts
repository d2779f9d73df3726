import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateModelUpload, type UploadedFile } from "./validate-model-upload.ts";

const fixtures = join(import.meta.dirname, "../../test/fixtures/tiny-mlp");
const fixture = (variant: string) => {
  const dir = join(fixtures, variant);
  const text = readFileSync(join(dir, "model.json"), "utf8");
  const json = JSON.parse(text) as { weightsManifest: { paths: string[] }[] };
  const files: UploadedFile[] = [{ path: "model.json", sizeBytes: Buffer.byteLength(text) }];
  for (const p of json.weightsManifest.flatMap((g) => g.paths))
    files.push({ path: p, sizeBytes: statSync(join(dir, p)).size });
  return { text, json, files };
};

/** A one-group model.json around the given weights and paths. */
const model = (weights: unknown[], paths = ["w.bin"], extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    modelTopology: { class_name: "Sequential", config: { layers: [] } },
    format: "layers-model",
    weightsManifest: [{ paths, weights }],
    ...extra,
  });
const files = (...list: [string, number][]) =>
  [["model.json", 100] as [string, number], ...list].map(([path, sizeBytes]) => ({ path, sizeBytes }));

describe("validateModelUpload", () => {
  it("accepts the float32 model TensorFlow.js saved, with its metadata", () => {
    const { text, files } = fixture("float32");
    expect(validateModelUpload(text, files)).toEqual({
      format: "layers-model",
      weights: [
        { name: "hidden/kernel", shape: [4, 8], dtype: "float32", storedDtype: "float32" },
        { name: "hidden/bias", shape: [8], dtype: "float32", storedDtype: "float32" },
        { name: "output/kernel", shape: [8, 3], dtype: "float32", storedDtype: "float32" },
        { name: "output/bias", shape: [3], dtype: "float32", storedDtype: "float32" },
      ],
      parameterCount: 67,
      weightBytes: 268,
      files: ["model.json", "group1-shard1of1.bin"],
    });
  });

  it("accepts the two-shard model: a group's byte length is the sum of its shards", () => {
    const { text, files } = fixture("two-shards");
    expect(validateModelUpload(text, files).files).toEqual([
      "model.json",
      "group1-shard1of2.bin",
      "group1-shard2of2.bin",
    ]);
  });

  it("accepts the uint8-quantized model: the quantized dtype decides the stored width", () => {
    const { text, files } = fixture("uint8");
    const meta = validateModelUpload(text, files);
    expect(meta.weightBytes).toBe(67);
    expect(meta.parameterCount).toBe(67);
    expect(meta.weights.map((w) => [w.dtype, w.storedDtype])).toEqual(Array(4).fill(["float32", "uint8"]));
  });

  it("sizes every dtype and quantization", () => {
    const weights = [
      { name: "a", shape: [2, 3], dtype: "float32" }, // 24
      { name: "b", shape: [5], dtype: "int32" }, // 20
      { name: "c", shape: [7], dtype: "bool" }, // 7
      { name: "d", shape: [], dtype: "float32" }, // scalar: 4
      { name: "e", shape: [10], dtype: "float32", quantization: { dtype: "uint16", scale: 0.1, min: 0 } }, // 20
      { name: "f", shape: [10], dtype: "float32", quantization: { dtype: "float16" } }, // 20
      { name: "g", shape: [3], dtype: "int32", quantization: { dtype: "uint8", scale: 1, min: 0 } }, // 3
      { name: "h", shape: [0, 9], dtype: "float32" }, // 0
    ];
    const meta = validateModelUpload(model(weights), files(["w.bin", 98]));
    expect(meta.weightBytes).toBe(98);
    expect(meta.parameterCount).toBe(6 + 5 + 7 + 1 + 10 + 10 + 3);
  });

  it("accepts the ./ prefix tfjs's browser download writes", () => {
    const meta = validateModelUpload(
      model([{ name: "a", shape: [1], dtype: "float32" }], ["./model.weights.bin"]),
      files(["model.weights.bin", 4]),
    );
    expect(meta.files).toEqual(["model.json", "model.weights.bin"]);
  });

  it("accepts a model without weights whose one group names no files, as @costgate/ml writes it", () => {
    expect(validateModelUpload(model([], []), files())).toMatchObject({ weightBytes: 0, files: ["model.json"] });
  });

  it("checks the topology of every model upload", () => {
    const { json } = fixture("float32");
    (
      json as unknown as { modelTopology: { config: { layers: { class_name: string }[] } } }
    ).modelTopology.config.layers[0]!.class_name = "Lambda";
    expect(() => validateModelUpload(JSON.stringify(json), [])).toThrow(
      /model.json: modelTopology.layers\[0\] has class_name "Lambda"/,
    );
  });

  const refusals: [string, string, UploadedFile[], RegExp][] = [
    [
      "text that is not JSON",
      '{"modelTopology": {},\n  "weightsManifest": [,]}',
      files(),
      /not valid JSON at line 2, column 23/,
    ],
    ["a truncated file", '{"modelTopology": {"a": [1, 2', files(), /not valid JSON at line 1, column 30/],
    ["a JSON array", "[1,2]", files(), /must be a JSON object .* \(got an array\)/],
    [
      "a graph model",
      JSON.stringify({ format: "graph-model", modelTopology: { node: [] }, weightsManifest: [] }),
      files(),
      /is a TensorFlow.js graph model; Costgate needs a TensorFlow.js LayersModel/,
    ],
    [
      "a graph model without format",
      JSON.stringify({ modelTopology: { node: [], versions: {} }, weightsManifest: [] }),
      files(),
      /graph model/,
    ],
    [
      "another format",
      model([], ["w.bin"], { format: "keras" }),
      files(["w.bin", 0]),
      /format "keras"; Costgate needs/,
    ],
    ["no modelTopology", JSON.stringify({ weightsManifest: [] }), files(), /no modelTopology object \(got missing\)/],
    ["no weightsManifest", JSON.stringify({ modelTopology: {} }), files(), /no weightsManifest array/],
    [
      "a group without paths",
      JSON.stringify({ modelTopology: {}, weightsManifest: [{ weights: [] }] }),
      files(),
      /weightsManifest\[0\]\.paths must be an array of weight file names/,
    ],
    [
      "a missing weight file",
      model([{ name: "a", shape: [1], dtype: "float32" }], ["w1.bin", "w2.bin"]),
      files(["w1.bin", 4]),
      /weight file "w2.bin" named by model.json \(weightsManifest\[0\]\.paths\[1\]\) is missing/,
    ],
    [
      "an extra file",
      model([{ name: "a", shape: [1], dtype: "float32" }]),
      files(["w.bin", 4], ["notes.txt", 3]),
      /file "notes.txt" is not named by model.json/,
    ],
    [
      "a short weight file",
      model([{ name: "a", shape: [2, 2], dtype: "float32" }]),
      files(["w.bin", 15]),
      /need exactly 16 bytes .*expected 16, got 15/,
    ],
    [
      "a long weight file",
      model([{ name: "a", shape: [2, 2], dtype: "float32", quantization: { dtype: "uint8", scale: 1, min: 0 } }]),
      files(["w.bin", 16]),
      /expected 4, got 16/,
    ],
    [
      "..",
      model([], ["../w.bin"]),
      files(),
      /weightsManifest\[0\]\.paths\[0\] "\.\.\/w\.bin" is not allowed: it contains "\.\."/,
    ],
    ["an absolute path", model([], ["/etc/passwd"]), files(), /"\/etc\/passwd" is not allowed: it is an absolute path/],
    ["a Windows absolute path", model([], ["C:/w.bin"]), files(), /is an absolute path/],
    ["a backslash", model([], ["a\\w.bin"]), files(), /contains a backslash/],
    ["a NUL", model([], ["w.bin\0"]), files(), /contains a NUL character/],
    ["a path named twice", model([], ["w.bin", "w.bin"]), files(["w.bin", 0]), /names weight file "w.bin" twice/],
    ["model.json as a weight file", model([], ["model.json"]), files(), /names model.json itself/],
    [
      "a string weight",
      model([{ name: "s", shape: [1], dtype: "string" }]),
      files(["w.bin", 4]),
      /\("s"\) has dtype "string"; Costgate supports float32, int32 and bool/,
    ],
    [
      "an unknown dtype",
      model([{ name: "x", shape: [1], dtype: "float64" }]),
      files(["w.bin", 8]),
      /has dtype "float64"/,
    ],
    [
      "an unknown quantization dtype",
      model([{ name: "x", shape: [1], dtype: "float32", quantization: { dtype: "int4" } }]),
      files(["w.bin", 1]),
      /quantization dtype "int4"; supported: uint8, uint16, float16/,
    ],
    [
      "uint8 without scale",
      model([{ name: "x", shape: [1], dtype: "float32", quantization: { dtype: "uint8" } }]),
      files(["w.bin", 1]),
      /lacks numeric scale and min/,
    ],
    [
      "a bad shape",
      model([{ name: "x", shape: [2, -1], dtype: "float32" }]),
      files(["w.bin", 1]),
      /shape must be an array of non-negative integers/,
    ],
    [
      "a quantized bool weight, as @costgate/ml refuses it",
      model([{ name: "mask", shape: [4], dtype: "bool", quantization: { dtype: "uint8", scale: 1, min: 0 } }]),
      files(["w.bin", 4]),
      /weights\[0\] \("mask"\) is a bool weight quantized as uint8: TensorFlow.js quantizes number weights only/,
    ],
    [
      "a group with no files whose weights need bytes",
      model([{ name: "a", shape: [2], dtype: "float32" }], []),
      files(),
      /weightsManifest\[0\]\.paths is empty, but its 1 weights need 8 bytes/,
    ],
    ["no model.json among the files", model([]), [{ path: "w.bin", sizeBytes: 0 }], /no model.json/],
  ];
  it.each(refusals)("refuses %s, saying what is wrong", (_what, text, list, message) => {
    expect(() => validateModelUpload(text, list)).toThrow(message);
    try {
      validateModelUpload(text, list);
    } catch (e) {
      expect((e as { code?: string }).code).toBe("BAD_USER_INPUT");
    }
  });
});
