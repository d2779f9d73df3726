import { describe, expect, it } from "vitest";
import { modelInputShape } from "./model-input-shape.ts";

describe("modelInputShape", () => {
  it("reads a Sequential model's first layer and a functional model's input layer", () => {
    const sequential = {
      modelTopology: {
        class_name: "Sequential",
        config: { layers: [{ class_name: "Conv2D", config: { batch_input_shape: [null, 28, 28, 1] } }] },
      },
    };
    expect(modelInputShape(sequential)).toEqual([28, 28, 1]);
    const functional = {
      modelTopology: {
        class_name: "Model",
        config: {
          input_layers: [["input", 0, 0]],
          layers: [
            { name: "dense", class_name: "Dense", config: {} },
            { name: "input", class_name: "InputLayer", config: { batchInputShape: [null, 64, 64, 3] } },
          ],
        },
      },
    };
    expect(modelInputShape(functional)).toEqual([64, 64, 3]);
  });
  it("null when the topology does not say", () => {
    expect(modelInputShape({})).toBeNull();
    expect(
      modelInputShape({
        modelTopology: { config: { layers: [{ config: { batch_input_shape: [null, null, null, 3] } }] } },
      }),
    ).toBeNull();
    expect(
      modelInputShape({
        modelTopology: {
          config: {
            input_layers: [
              ["a", 0, 0],
              ["b", 0, 0],
            ],
            layers: [],
          },
        },
      }),
    ).toBeNull();
  });
});
