import { describe, expect, it } from "vitest";
import { checkWeightSpec, weightSpecBytes } from "./weight-spec.ts";

const at = "model.json weightsManifest[0].weights[0]";
const check = (w: unknown) => checkWeightSpec(w, at);

describe("checkWeightSpec", () => {
  it("sizes every dtype and quantization: the quantized dtype decides the stored width", () => {
    const sized: [unknown, number, number, string][] = [
      [{ name: "a", shape: [2, 3], dtype: "float32" }, 6, 24, "float32"],
      [{ name: "b", shape: [5], dtype: "int32" }, 5, 20, "int32"],
      [{ name: "c", shape: [7], dtype: "bool" }, 7, 7, "bool"],
      [{ name: "d", shape: [], dtype: "float32" }, 1, 4, "float32"],
      [
        { name: "e", shape: [10], dtype: "float32", quantization: { dtype: "uint16", scale: 0.1, min: 0 } },
        10,
        20,
        "uint16",
      ],
      [{ name: "f", shape: [10], dtype: "float32", quantization: { dtype: "float16" } }, 10, 20, "float16"],
      [{ name: "g", shape: [3], dtype: "int32", quantization: { dtype: "uint8", scale: 1, min: 0 } }, 3, 3, "uint8"],
      [{ name: "h", shape: [0, 9], dtype: "float32" }, 0, 0, "float32"],
    ];
    for (const [spec, count, bytes, storedDtype] of sized) {
      expect(check(spec)).toMatchObject({ count, bytes, storedDtype });
      expect(weightSpecBytes(spec as never)).toBe(bytes);
    }
  });

  it("refuses a quantized bool weight, whatever it is quantized as: tfjs quantizes number weights only", () => {
    for (const quantization of [
      { dtype: "uint8", scale: 1, min: 0 },
      { dtype: "uint16", scale: 1, min: 0 },
      { dtype: "float16" },
    ]) {
      expect(() => check({ name: "mask", shape: [4], dtype: "bool", quantization })).toThrow(
        `${at} ("mask") is a bool weight quantized as ${quantization.dtype}: TensorFlow.js quantizes number weights only and cannot load a quantized bool; store it unquantized`,
      );
    }
  });

  const refusals: [string, unknown, RegExp][] = [
    ["not an object", [1], /weights\[0\] must be an object with name, shape and dtype/],
    ["no name", { shape: [1], dtype: "float32" }, /weights\[0\]\.name must be a non-empty string \(got missing\)/],
    [
      "a bad shape",
      { name: "x", shape: [2, -1], dtype: "float32" },
      /\("x"\) shape must be an array of non-negative integers/,
    ],
    ["a fractional dimension", { name: "x", shape: [1.5], dtype: "float32" }, /non-negative integers \(got \[1\.5\]\)/],
    [
      "a string weight",
      { name: "s", shape: [1], dtype: "string" },
      /\("s"\) has dtype "string"; Costgate supports float32, int32 and bool/,
    ],
    ["an unknown dtype", { name: "x", shape: [1], dtype: "float64" }, /has dtype "float64"/],
    [
      "a quantization that is no object",
      { name: "x", shape: [1], dtype: "float32", quantization: "uint8" },
      /quantization must be an object/,
    ],
    [
      "an unknown quantization dtype",
      { name: "x", shape: [1], dtype: "float32", quantization: { dtype: "int4" } },
      /quantization dtype "int4"; supported: uint8, uint16, float16/,
    ],
    [
      "uint8 without scale",
      { name: "x", shape: [1], dtype: "float32", quantization: { dtype: "uint8" } },
      /\("x"\) is quantized as uint8 but its quantization lacks numeric scale and min/,
    ],
    [
      "a scale that is not finite",
      { name: "x", shape: [1], dtype: "float32", quantization: { dtype: "uint16", scale: null, min: 0 } },
      /lacks numeric scale and min/,
    ],
    [
      "an int32 weight as float16",
      { name: "steps", shape: [1], dtype: "int32", quantization: { dtype: "float16" } },
      /\("steps"\) is an int32 weight quantized as float16, which TensorFlow.js cannot load; use uint8 or uint16/,
    ],
  ];
  it.each(refusals)("refuses %s, naming the weight", (_what, spec, message) => {
    expect(() => check(spec)).toThrow(message);
    expect(() => check(spec)).toThrow(expect.objectContaining({ code: "BAD_MODEL_JSON" }));
  });
});

describe("weightSpecBytes", () => {
  it("is NaN for a dtype without a fixed width", () => {
    expect(weightSpecBytes({ shape: [2], dtype: "string" })).toBeNaN();
  });
});
