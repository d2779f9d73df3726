import { describe, expect, it } from "vitest";
import { TOPOLOGY_LIMITS, topologyProblem } from "./model-topology.ts";

/** The modelTopology tfjs-layers 4.22 writes for a two-layer Sequential model (its config trimmed). */
const tfjsTopology = {
  class_name: "Sequential",
  config: {
    name: "tiny_mlp",
    layers: [
      { class_name: "Dense", config: { units: 8, activation: "relu", name: "hidden", batch_input_shape: [null, 4] } },
      { class_name: "Dense", config: { units: 3, activation: "softmax", name: "output" } },
    ],
  },
  keras_version: "tfjs-layers 4.22.0",
  backend: "tensor_flow.js",
};
const sequential = (layers: unknown[]) => ({ class_name: "Sequential", config: { name: "s", layers } });
const dense = { class_name: "Dense", config: { units: 4 } };

describe("modelTopology", () => {
  it("accepts a real LayersModel topology (Sequential and functional, nested models)", () => {
    expect(topologyProblem(tfjsTopology)).toBeNull();
    expect(
      topologyProblem({
        class_name: "Model",
        config: {
          layers: [{ class_name: "InputLayer", config: {} }, { class_name: "Conv2D", config: {} }, sequential([dense])],
        },
      }),
    ).toBeNull();
  });

  it("refuses an unknown layer class, naming it and where it is", () => {
    expect(topologyProblem(sequential([dense, { class_name: "Lambda", config: { function: "x => x" } }]))).toMatch(
      /layers\[1\] has class_name "Lambda", which TensorFlow.js LayersModels do not provide/,
    );
  });

  it("refuses a topology nested too deep, without a stack overflow", () => {
    let deep: unknown = { leaf: true };
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    expect(topologyProblem({ class_name: "Sequential", config: { layers: [dense], extra: deep } })).toMatch(
      new RegExp(`nested more than ${TOPOLOGY_LIMITS.maxDepth} levels`),
    );
  });

  it("refuses too many layers", () => {
    expect(topologyProblem(sequential(Array.from({ length: TOPOLOGY_LIMITS.maxLayers + 1 }, () => dense)))).toMatch(
      /layers; the limit is/,
    );
  });

  it("refuses a topology that is not a model", () => {
    expect(topologyProblem({ class_name: "Dense", config: {} })).toMatch(/class_name/);
    expect(topologyProblem({ class_name: "Sequential" })).toMatch(/layers/);
  });

  it("checks the model inside the model_config wrapper tensorflowjs_converter writes for Keras models", () => {
    const keras = (model: unknown) => ({ keras_version: "2.15.0", backend: "tensorflow", model_config: model });
    expect(topologyProblem(keras(sequential([dense])))).toBeNull();
    expect(topologyProblem(keras(sequential([{ class_name: "Lambda", config: {} }])))).toMatch(
      /^modelTopology\.model_config\.layers\[0\] has class_name "Lambda"/,
    );
  });
});
