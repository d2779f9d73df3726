import { describe, expect, it } from "vitest";
import { checkGroupBytes, checkModelJson, parseModelJson } from "./model-json.ts";

const topology = { class_name: "Sequential", config: { layers: [{ class_name: "Dense", config: { units: 2 } }] } };
/** A one-group model.json around the given weights and paths. */
const model = (weights: unknown[], paths: unknown = ["w.bin"], extra: Record<string, unknown> = {}) => ({
  modelTopology: topology,
  format: "layers-model",
  weightsManifest: [{ paths, weights }],
  ...extra,
});
const float = (name: string, shape: number[]) => ({ name, shape, dtype: "float32" });

describe("checkModelJson", () => {
  it("answers every weight, the groups with their normalised paths and bytes, and the totals", () => {
    const checked = checkModelJson({
      ...model([]),
      weightsManifest: [
        { paths: ["./group1-shard1of2.bin", "group1-shard2of2.bin"], weights: [float("k", [4, 8]), float("b", [8])] },
        {
          paths: ["sub/q.bin"],
          weights: [{ name: "q", shape: [3], dtype: "float32", quantization: { dtype: "uint8", scale: 1, min: 0 } }],
        },
      ],
    });
    expect(checked.groups.map((g) => [g.paths, g.bytes])).toEqual([
      [["group1-shard1of2.bin", "group1-shard2of2.bin"], 160],
      [["sub/q.bin"], 3],
    ]);
    expect(checked.weights.map((w) => [w.name, w.storedDtype])).toEqual([
      ["k", "float32"],
      ["b", "float32"],
      ["q", "uint8"],
    ]);
    expect(checked).toMatchObject({ parameterCount: 43, weightBytes: 163 });
  });

  it("accepts a format left out, and the model_config wrapper of a converted Keras model", () => {
    const { format: _format, ...noFormat } = model([float("a", [1])]);
    expect(checkModelJson(noFormat).weightBytes).toBe(4);
    const keras = model([float("a", [1])], ["w.bin"], {
      modelTopology: { keras_version: "2.15.0", model_config: topology },
    });
    expect(checkModelJson(keras).weightBytes).toBe(4);
  });

  it("accepts a group without files only when its weights need no bytes (a model without weights)", () => {
    expect(checkModelJson(model([], [])).weightBytes).toBe(0);
    expect(checkModelJson(model([float("empty", [0, 4])], [])).weightBytes).toBe(0);
    expect(() => checkModelJson(model([float("a", [2])], []))).toThrow(
      "model.json weightsManifest[0].paths is empty, but its 1 weights need 8 bytes: name their weight files",
    );
  });

  it("names the file as the caller calls it", () => {
    expect(() => checkModelJson({ modelTopology: topology }, "tuned.json")).toThrow(
      /^tuned\.json has no weightsManifest array/,
    );
    expect(() => checkModelJson(model([], ["tuned.json"]), "tuned.json")).toThrow(
      /names tuned\.json itself as a weight file/,
    );
  });

  const refusals: [string, unknown, RegExp][] = [
    ["a JSON array", [1, 2], /^model.json must be a JSON object .* \(got an array\)/],
    [
      "a graph model",
      { format: "graph-model", modelTopology: { node: [] }, weightsManifest: [] },
      /is a TensorFlow.js graph model; Costgate needs a TensorFlow.js LayersModel/,
    ],
    ["a graph model without format", { modelTopology: { node: [], versions: {} }, weightsManifest: [] }, /graph model/],
    ["another format", model([], [], { format: "keras" }), /format "keras"; Costgate needs/],
    ["no modelTopology", { weightsManifest: [] }, /no modelTopology object \(got missing\)/],
    ["no weightsManifest", { modelTopology: {} }, /no weightsManifest array/],
    [
      "a group that is no object",
      { modelTopology: {}, weightsManifest: [[]] },
      /weightsManifest\[0\] must be an object/,
    ],
    [
      "a group without paths",
      { modelTopology: {}, weightsManifest: [{ weights: [] }] },
      /weightsManifest\[0\]\.paths must be an array of weight file names \(got missing\)/,
    ],
    [
      "a group without weights",
      { modelTopology: {}, weightsManifest: [{ paths: [] }] },
      /weightsManifest\[0\]\.weights must be an array/,
    ],
    ["a path that is no string", model([], [7]), /weightsManifest\[0\]\.paths\[0\] must be a string \(got 7\)/],
    [
      "..",
      model([], ["../w.bin"]),
      /weightsManifest\[0\]\.paths\[0\] "\.\.\/w\.bin" is not allowed: it contains "\.\."/,
    ],
    ["an absolute path", model([], ["/etc/passwd"]), /"\/etc\/passwd" is not allowed: it is an absolute path/],
    ["a Windows absolute path", model([], ["C:/w.bin"]), /is an absolute path/],
    ["a backslash", model([], ["a\\w.bin"]), /contains a backslash/],
    ["a NUL", model([], ["w.bin\0"]), /contains a NUL character/],
    [
      "a path named twice",
      model([], ["w.bin", "./w.bin"]),
      /names weight file "w.bin" twice \(weightsManifest\[0\]\.paths\[0\] and/,
    ],
    ["model.json as a weight file", model([], ["model.json"]), /names model.json itself/],
    [
      "a bad weight",
      model([{ name: "x", shape: [1], dtype: "float64" }]),
      /weightsManifest\[0\]\.weights\[0\] \("x"\) has dtype "float64"/,
    ],
    [
      "a quantized bool weight",
      model([{ name: "mask", shape: [4], dtype: "bool", quantization: { dtype: "uint8", scale: 1, min: 0 } }]),
      /weightsManifest\[0\]\.weights\[0\] \("mask"\) is a bool weight quantized as uint8/,
    ],
    [
      "more values than can be counted",
      model([float("huge", [2 ** 40, 2 ** 20])]),
      /add up to more values than can be stored/,
    ],
    [
      "an unknown layer, after the manifest",
      model([], [], { modelTopology: { class_name: "Sequential", config: { layers: [{ class_name: "MyLayer" }] } } }),
      /^model.json: modelTopology.layers\[0\] has class_name "MyLayer"/,
    ],
  ];
  it.each(refusals)("refuses %s, saying what is wrong and where", (_what, json, message) => {
    expect(() => checkModelJson(json)).toThrow(message);
  });

  it("refuses with a code callers map: paths BAD_PATH, the rest BAD_MODEL_JSON", () => {
    expect(() => checkModelJson(model([], ["../w.bin"]))).toThrow(expect.objectContaining({ code: "BAD_PATH" }));
    expect(() => checkModelJson({ modelTopology: {} })).toThrow(expect.objectContaining({ code: "BAD_MODEL_JSON" }));
  });
});

describe("parseModelJson", () => {
  it("says at which line and column the text stops being JSON", () => {
    expect(() => parseModelJson('{"modelTopology": {},\n  "weightsManifest": [,]}')).toThrow(
      /^model.json is not valid JSON at line 2, column 23/,
    );
    expect(() => parseModelJson('{"modelTopology": {"a": [1, 2', "m.json")).toThrow(
      /^m.json is not valid JSON at line 1, column 30/,
    );
  });

  it("refuses a byte-order mark and JSON that is no object", () => {
    expect(() => parseModelJson('\uFEFF{"a":1}')).toThrow(/starts with a byte-order mark/);
    expect(() => parseModelJson("null")).toThrow(/must be a JSON object .* \(got null\)/);
  });
});

describe("checkGroupBytes", () => {
  const group = checkModelJson(model([float("a", [2, 2])], ["w1.bin", "w2.bin"])).groups[0]!;
  it("accepts exactly the bytes the weights need", () => {
    expect(() => checkGroupBytes(group, 0, 16)).not.toThrow();
  });
  it("refuses fewer or more, naming the group and its files", () => {
    expect(() => checkGroupBytes(group, 0, 15)).toThrow(
      'weight files of weightsManifest[0] ("w1.bin", "w2.bin") hold 15 bytes, but its 1 weights need exactly 16 bytes (sum of shape size x bytes per stored dtype): expected 16, got 15',
    );
    expect(() => checkGroupBytes(group, 0, 20)).toThrow(expect.objectContaining({ code: "WEIGHTS_MISMATCH" }));
  });
});
