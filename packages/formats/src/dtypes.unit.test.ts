import { describe, expect, it } from "vitest";
import { bytesPerValue, DTYPE_BYTES, isQuantizedDtype, isWeightDtype } from "./dtypes.ts";

describe("the dtype byte table", () => {
  it("gives the bytes one stored value takes, for every weight and quantized dtype", () => {
    expect(DTYPE_BYTES).toEqual({ float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 });
  });

  it("knows no width for dtypes no weight file holds at a fixed width", () => {
    for (const dtype of ["string", "complex64", "float64", "toString", ""])
      expect(bytesPerValue(dtype)).toBeUndefined();
    expect(bytesPerValue("float16")).toBe(2);
  });

  it("tells weight dtypes from quantized ones", () => {
    expect(["float32", "int32", "bool", "uint8"].map(isWeightDtype)).toEqual([true, true, true, false]);
    expect(["uint8", "uint16", "float16", "float32", 8].map(isQuantizedDtype)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});
