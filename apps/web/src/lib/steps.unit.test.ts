import { describe, expect, it } from "vitest";
import { parsePolicySteps } from "@costgate/core";
import { buildSteps, describeParams, draftsFromSteps, newStep, stepErrorField } from "./steps";

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
    const tune = {
      kind: "FINE_TUNE" as const,
      values: { epochs: "2.5", learningRate: "0", batchSize: "", momentum: "0.9" },
    };
    expect(buildSteps([prune, tune]).errors).toEqual({
      "0.sparsity": "Sparsity must be less than 1",
      "1.epochs": "Epochs must be a whole number",
      "1.learningRate": "Learning rate must be more than 0",
      "1.batchSize": "Batch size is required",
    });
  });
  it("offers DISTILL with core's ranges: temperature optional, more than 0", () => {
    const { steps, errors } = buildSteps([newStep("PRUNE"), newStep("DISTILL")]);
    expect(errors).toEqual({});
    expect(steps[1]).toEqual({
      kind: "DISTILL",
      params: { epochs: 3, learningRate: 0.05, batchSize: 32, temperature: 2 },
    });
    const draft = {
      kind: "DISTILL" as const,
      values: { epochs: "3", learningRate: "0.05", batchSize: "32", temperature: "0" },
    };
    expect(buildSteps([draft]).errors).toEqual({ "0.temperature": "Temperature must be more than 0" });
    const noTemperature = { ...draft, values: { ...draft.values, temperature: "" } };
    expect(buildSteps([noTemperature]).steps[0]!.params).toEqual({ epochs: 3, learningRate: 0.05, batchSize: 32 });
    expect(describeParams("DISTILL", { epochs: 3, learningRate: 0.05, batchSize: 32, temperature: 2 })).toBe(
      "epochs 3, learning rate 0.05, batch size 32, temperature 2",
    );
  });
  it("describes params in one line", () => {
    expect(describeParams("PRUNE", { method: "structured", sparsity: 0.5 })).toBe("structured, sparsity 0.5");
    expect(describeParams("QUANTIZE", { dtype: "uint8", accuracyAware: true })).toBe("uint8, accuracy-aware");
  });
});

describe("editing saved steps", () => {
  const saved = [
    { kind: "PRUNE", params: { method: "magnitude", sparsity: 0.3 } },
    { kind: "FINE_TUNE", params: { epochs: 3, learningRate: 0.05, batchSize: 64, momentum: 0.9 } },
    { kind: "QUANTIZE", params: { dtype: "float16", accuracyAware: true } },
  ];

  it("fills the step builder with the saved params, and builds the same steps back", () => {
    const drafts = draftsFromSteps(saved);
    expect(drafts).toEqual([
      { kind: "PRUNE", values: { method: "magnitude", sparsity: "0.3" } },
      { kind: "FINE_TUNE", values: { epochs: "3", learningRate: "0.05", batchSize: "64", momentum: "0.9" } },
      { kind: "QUANTIZE", values: { dtype: "float16", accuracyAware: "true" } },
    ]);
    expect(buildSteps(drafts)).toEqual({ steps: saved, errors: {} });
  });

  it("leaves optional params that were not saved empty", () => {
    const drafts = draftsFromSteps([
      { kind: "FINE_TUNE", params: { epochs: 1, learningRate: 0.01, batchSize: 8 } },
      { kind: "QUANTIZE", params: { dtype: "uint8", accuracyAware: false } },
    ]);
    expect(drafts.map((d) => d.values)).toEqual([
      { epochs: "1", learningRate: "0.01", batchSize: "8", momentum: "" },
      { dtype: "uint8", accuracyAware: "" },
    ]);
  });

  it("puts the API's error about a step parameter beside that parameter, other step errors beside the list", () => {
    const drafts = draftsFromSteps(saved);
    expect(stepErrorField("steps.0.params.sparsity", drafts)).toBe("step.0.sparsity");
    expect(stepErrorField("steps.1.params.learningRate", drafts)).toBe("step.1.learningRate");
    // A parameter the builder has no field for (or shows as a checkbox, without an error), or another step's kind.
    expect(stepErrorField("steps.0.params.bits", drafts)).toBe("steps");
    expect(stepErrorField("steps.2.params.accuracyAware", drafts)).toBe("steps");
    expect(stepErrorField("steps.0.params.learningRate", drafts)).toBe("steps");
    expect(stepErrorField("steps.5.params.sparsity", drafts)).toBe("steps");
    expect(stepErrorField("steps.1.kind", drafts)).toBe("steps");
    expect(stepErrorField("steps", drafts)).toBe("steps");
    expect(stepErrorField("maxAccuracyDrop", drafts)).toBeNull();
  });
});

describe("the SEARCH step", () => {
  it("builds core-valid params from its defaults: a time budget, recovery auto and the default dtypes", () => {
    const { steps, errors } = buildSteps([newStep("SEARCH")]);
    expect(errors).toEqual({});
    expect(steps).toEqual([
      { kind: "SEARCH", params: { timeBudgetMinutes: 30, recovery: "auto", dtypes: ["float16", "uint8"] } },
    ]);
    expect(parsePolicySteps(steps)).toEqual(steps);
  });

  it("takes its ranges from core and asks for at least one dtype", () => {
    const draft = newStep("SEARCH");
    draft.values = { ...draft.values, timeBudgetMinutes: "1441", maxTrials: "0", dtypes: "" };
    expect(buildSteps([draft]).errors).toEqual({
      "0.timeBudgetMinutes": "Time budget (minutes) must be at most 1440",
      "0.maxTrials": "Max trials must be at least 1",
      "0.dtypes": "Choose at least one of the weight dtypes to try",
    });
  });

  it("edits a saved search: the dtypes back as checkboxes, described in one line", () => {
    const saved = [
      { kind: "SEARCH", params: { timeBudgetMinutes: 5, maxTrials: 12, recovery: "none", dtypes: ["uint8"] } },
    ];
    const [draft] = draftsFromSteps(saved);
    expect(draft!.values).toEqual({ timeBudgetMinutes: "5", maxTrials: "12", recovery: "none", dtypes: "uint8" });
    expect(buildSteps([draft!]).steps).toEqual(saved);
    expect(describeParams("SEARCH", saved[0]!.params)).toBe(
      "time budget (minutes) 5, max trials 12, none, weight dtypes to try uint8",
    );
  });
});
