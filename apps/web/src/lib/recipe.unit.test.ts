import { describe, expect, it } from "vitest";
import { describeRecipe } from "./recipe";

describe("describeRecipe", () => {
  it("summarises a structured prune", () => {
    const recipe = {
      kind: "PRUNE",
      params: { method: "structured", sparsity: 0.5 },
      result: { params: { before: 1000, after: 250 }, macs: { before: 800, after: 200 }, layers: [{}, {}] },
    };
    expect(describeRecipe("PRUNE", recipe)).toBe(
      "structured, sparsity 0.5 · 1,000 → 250 parameters (−75%) · MACs (−75%) · 2 layers changed",
    );
  });
  it("summarises a quantization without dumping its tensors", () => {
    const recipe = {
      kind: "QUANTIZE",
      params: { dtype: "uint8", accuracyAware: false },
      result: { bytesBefore: 4096, bytesAfter: 1024, tensors: [{ storage: "uint8" }, { storage: "uint8" }] },
    };
    expect(describeRecipe("QUANTIZE", recipe)).toBe("uint8 · weights 4 KB → 1 KB (−75%) · 2 tensors uint8");
  });
  it("says an upload is an upload", () => {
    expect(describeRecipe("UPLOAD", null)).toBe("Uploaded");
  });
});
