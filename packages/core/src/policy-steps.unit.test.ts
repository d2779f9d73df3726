import { describe, expect, it } from "vitest";
import { STEP_PARAMS, StepKinds, parsePolicySteps } from "./policy-steps.ts";

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
