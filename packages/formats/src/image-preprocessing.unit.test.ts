import { describe, expect, it } from "vitest";
import { applyPixelTable, checkImagePreprocessing, pixelTable } from "./image-preprocessing.ts";

describe("checkImagePreprocessing", () => {
  it("defaults to ZERO_ONE without mean or std", () => {
    expect(checkImagePreprocessing(undefined, 3)).toEqual({ scale: "ZERO_ONE", mean: null, std: null });
    expect(checkImagePreprocessing({ scale: "RAW" }, 1)).toEqual({ scale: "RAW", mean: null, std: null });
  });
  it("refuses mean or std whose length is not the channel count, and std <= 0", () => {
    expect(() => checkImagePreprocessing({ mean: [0.5] }, 3)).toThrow(
      "mean has 1 value, but the model's images have 3 channels: give one per channel",
    );
    expect(() => checkImagePreprocessing({ std: [1, 1, 1] }, 1)).toThrow(
      /std has 3 values, but the model's images have 1 channel:/,
    );
    expect(() => checkImagePreprocessing({ std: [1, 0, 1] }, 3)).toThrow(
      "std[1] is 0; every std must be greater than 0",
    );
    expect(() => checkImagePreprocessing({ std: [1, -2, 1] }, 3)).toThrow(/std\[1\] is -2/);
    expect(() => checkImagePreprocessing({ mean: [0, Number.NaN, 0] }, 3)).toThrow("mean[1] is not a finite number");
    expect(() => checkImagePreprocessing({ scale: "HALF" }, 3)).toThrow(/scale must be/);
    expect(() => checkImagePreprocessing({ std: [0] }, 1)).toThrow(
      expect.objectContaining({ code: "BAD_PREPROCESSING" }),
    );
  });
});

describe("pixelTable", () => {
  it("scales 0..255 as the contract says, then (x - mean) / std per channel", () => {
    const z = pixelTable(checkImagePreprocessing({}, 1), 1);
    expect([z[0], z[51], z[255]]).toEqual([0, Math.fround(51 / 255), 1]);
    const m = pixelTable(checkImagePreprocessing({ scale: "MINUS_ONE_ONE" }, 1), 1);
    expect([m[0], m[255]]).toEqual([-1, 1]);
    const t = pixelTable(checkImagePreprocessing({ scale: "RAW", mean: [10, 20, 30], std: [2, 4, 5] }, 3), 3);
    const out = new Float32Array(6);
    applyPixelTable(Uint8Array.from([10, 20, 30, 12, 28, 80]), t, 3, out);
    expect(Array.from(out)).toEqual([0, 0, 0, 1, 2, 10]);
  });
});
