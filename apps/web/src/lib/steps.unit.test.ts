import { describe, expect, it } from "vitest";
import { buildSteps, describeParams, newStep } from "./steps";

describe("policy steps", () => {
  it("builds the API's params from the defaults", () => {
    const { steps, errors } = buildSteps([newStep("PRUNE"), newStep("FINE_TUNE"), newStep("QUANTIZE")]);
    expect(errors).toEqual({});
    expect(steps).toEqual([
      { kind: "PRUNE", params: { method: "structured", sparsity: 0.5 } },
      { kind: "FINE_TUNE", params: { epochs: 2, learningRate: 0.01, batchSize: 32 } },
      { kind: "QUANTIZE", params: { dtype: "uint8" } },
    ]);
  });
  it("explains out-of-range values by step and parameter", () => {
    const prune = { kind: "PRUNE" as const, values: { method: "structured", sparsity: "1" } };
    const tune = { kind: "FINE_TUNE" as const, values: { epochs: "2.5", learningRate: "0", batchSize: "", momentum: "0.9" } };
    expect(buildSteps([prune, tune]).errors).toEqual({
      "0.sparsity": "Sparsity must be less than 1",
      "1.epochs": "Epochs must be a whole number",
      "1.learningRate": "Learning rate must be more than 0",
      "1.batchSize": "Batch size is required",
    });
  });
  it("describes params in one line", () => {
    expect(describeParams("PRUNE", { method: "structured", sparsity: 0.5 })).toBe("structured, sparsity 0.5");
    expect(describeParams("QUANTIZE", { dtype: "uint8", accuracyAware: true })).toBe("uint8, accuracy-aware");
  });
});
