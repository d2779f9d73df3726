import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TOPOLOGY_LIMITS, topologyProblem } from "./validate-topology.ts";
import { validateModelUpload } from "./validate-model-upload.ts";

const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../test/fixtures/tiny-mlp/float32/model.json"), "utf8"),
) as { modelTopology: unknown };
const sequential = (layers: unknown[]) => ({ class_name: "Sequential", config: { name: "s", layers } });
const dense = { class_name: "Dense", config: { units: 4 } };

describe("modelTopology", () => {
  it("accepts a real LayersModel topology (Sequential and functional, nested models)", () => {
    expect(topologyProblem(fixture.modelTopology)).toBeNull();
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

  it("is checked for every model upload", () => {
    const json = JSON.parse(
      readFileSync(join(import.meta.dirname, "../../test/fixtures/tiny-mlp/float32/model.json"), "utf8"),
    );
    json.modelTopology.config.layers[0].class_name = "Lambda";
    expect(() => validateModelUpload(JSON.stringify(json), [])).toThrow(
      /model.json: modelTopology.layers\[0\] has class_name "Lambda"/,
    );
  });
});
