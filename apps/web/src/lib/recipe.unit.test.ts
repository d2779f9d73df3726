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
  it("summarises a distillation: inputs, temperature, final loss, no labels", () => {
    const recipe = {
      kind: "DISTILL",
      params: { epochs: 2, learningRate: 0.05, batchSize: 32, temperature: 2 },
      result: {
        teacherVersionId: "v1",
        temperature: 2,
        epochs: 2,
        rows: 1200,
        inputsFrom: "UNLABELED",
        labelsUsed: false,
        finalLoss: 0.012345,
      },
    };
    expect(describeRecipe("DISTILL", recipe)).toBe(
      "epochs 2, learning rate 0.05, batch size 32, temperature 2 · 2 epochs over 1,200 UNLABELED inputs, matching the source version · temperature 2 · final loss 0.01235 · no labels used",
    );
  });
  it("says when a search's time budget cut a fine-tuning short", () => {
    const recipe = {
      kind: "FINE_TUNE",
      params: { epochs: 2, learningRate: 0.01, batchSize: 4, momentum: 0.9 },
      result: { epochsRun: 1, finalLoss: 0.5, trainRows: 600, stoppedEarly: false, timeUp: true, batchesRun: 212 },
    };
    expect(describeRecipe("FINE_TUNE", recipe)).toMatch(
      / · 1 epoch run · final loss 0\.5 · 600 training rows · cut short by the search's time budget after 212 batches$/,
    );
  });
  it("says an upload is an upload", () => {
    expect(describeRecipe("UPLOAD", null)).toBe("Uploaded");
  });
});
