import { describe, expect, it } from "vitest";
import { STEP_PARAMS, StepKinds, parsePolicySteps, resolveSearchRecovery } from "./policy-steps.ts";

describe("DISTILL step parameters", () => {
  it("accepts epochs, learningRate, batchSize and an optional temperature", () => {
    expect(StepKinds).toContain("DISTILL");
    expect(Object.keys(STEP_PARAMS.DISTILL)).toEqual(["epochs", "learningRate", "batchSize", "temperature"]);
    expect(
      parsePolicySteps([{ kind: "DISTILL", params: { epochs: 3, learningRate: 0.05, batchSize: 32, temperature: 2 } }]),
    ).toEqual([{ kind: "DISTILL", params: { epochs: 3, learningRate: 0.05, batchSize: 32, temperature: 2 } }]);
    expect(
      parsePolicySteps([{ kind: "DISTILL", params: { epochs: 1, learningRate: 0.1, batchSize: 8 } }]),
    ).toHaveLength(1);
  });

  it.each([
    [{ epochs: 1, learningRate: 0.1, batchSize: 8, temperature: 0 }, "temperature must be greater than 0"],
    [{ epochs: 1.5, learningRate: 0.1, batchSize: 8 }, "epochs must be a whole number"],
    [{ epochs: 1, learningRate: 0, batchSize: 8 }, "learningRate must be greater than 0"],
    [{ epochs: 1, learningRate: 0.1 }, "batchSize"],
    [{ epochs: 1, learningRate: 0.1, batchSize: 8, alpha: 0.5 }, "unknown parameter alpha"],
  ])("refuses %j, naming the parameter", (params, message) => {
    expect(() => parsePolicySteps([{ kind: "DISTILL", params }])).toThrow(message);
  });
});

describe("SEARCH step parameters", () => {
  it("accepts a time budget with optional maxTrials, recovery and dtypes", () => {
    expect(parsePolicySteps([{ kind: "SEARCH", params: { timeBudgetMinutes: 0.5 } }])).toEqual([
      { kind: "SEARCH", params: { timeBudgetMinutes: 0.5 } },
    ]);
    const full = { timeBudgetMinutes: 24 * 60, maxTrials: 200, recovery: "distill", dtypes: ["uint16", "uint8"] };
    expect(parsePolicySteps([{ kind: "SEARCH", params: full }])).toEqual([{ kind: "SEARCH", params: full }]);
  });

  it.each([
    [{}, "timeBudgetMinutes must be a number"],
    [{ timeBudgetMinutes: 0 }, "timeBudgetMinutes must be greater than 0"],
    [{ timeBudgetMinutes: 24 * 60 + 1 }, "timeBudgetMinutes must be at most 1440"],
    [{ timeBudgetMinutes: 5, maxTrials: 0 }, "maxTrials must be at least 1"],
    [{ timeBudgetMinutes: 5, maxTrials: 201 }, "maxTrials must be at most 200"],
    [{ timeBudgetMinutes: 5, maxTrials: 2.5 }, "maxTrials must be a whole number"],
    [{ timeBudgetMinutes: 5, recovery: "retrain" }, 'recovery must be "auto", "fine_tune", "distill" or "none"'],
    [{ timeBudgetMinutes: 5, dtypes: ["int4"] }, "dtypes.0 must be"],
    [{ timeBudgetMinutes: 5, dtypes: [] }, "dtypes must name at least one dtype"],
    [{ timeBudgetMinutes: 5, dtypes: ["uint8", "uint8"] }, "dtypes must not repeat a dtype"],
    [{ timeBudgetMinutes: 5, sparsity: 0.5 }, "unknown parameter sparsity"],
  ])("refuses %j, naming the parameter", (params, message) => {
    expect(() => parsePolicySteps([{ kind: "SEARCH", params }])).toThrow(message);
  });

  it("refuses SEARCH beside other steps, saying it is the only step of its policy", () => {
    expect(() =>
      parsePolicySteps([
        { kind: "PRUNE", params: { method: "structured", sparsity: 0.5 } },
        { kind: "SEARCH", params: { timeBudgetMinutes: 5 } },
      ]),
    ).toThrow(/steps\[2\] \(SEARCH\): SEARCH is the only step of its policy/);
  });

  it("resolves recovery auto from the model's datasets", () => {
    expect(resolveSearchRecovery(undefined, { train: true, unlabeled: true })).toBe("fine_tune");
    expect(resolveSearchRecovery("auto", { train: false, unlabeled: true })).toBe("distill");
    expect(resolveSearchRecovery("auto", { train: false, unlabeled: false })).toBe("none");
    expect(resolveSearchRecovery("distill", { train: true, unlabeled: false })).toBe("distill");
  });
});
