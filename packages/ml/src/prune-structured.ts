/**
 * Structured pruning: removes whole units of Dense layers and filters of Conv1D/Conv2D/
 * SeparableConv2D layers (smallest L1 norm of their kernel first) together with the
 * matching inputs of every layer that consumes them, so the matrices really get smaller
 * (the only pruning that lowers latency in tfjs; see docs/ARCHITECTURE.md "Cost of a version").
 *
 * The new model is built from the original's JSON config with changed `units`/`filters`
 * (tf.models.modelFromJSON) and the sliced weights; the input model is not modified.
 * See prune-structured-graph.ts for which layers are understood and how channels that
 * meet at Add/Concatenate are pruned together.
 */
import { MlError } from "./errors.ts";
import { inspectModel } from "./inspect.ts";
import {
  buildChannelGraph,
  isProducerClass,
  keptPositions,
  planPruning,
  type Channels,
  type GroupPlan,
  type InboundRef,
  type LayerChannels,
  type LayerSpec,
} from "./prune-structured-graph.ts";
import { l1AlongAxis, takeAlongAxis, type HostTensor } from "./tensor-slice.ts";
import { tf } from "./tf.ts";

export interface StructuredPruneOptions {
  /** Fraction of the units/filters to remove from each prunable layer (group), 0 < sparsity < 1. */
  sparsity: number;
  /** Per-layer overrides by layer name, 0 ≤ value < 1; 0 leaves the layer alone. */
  layers?: Record<string, number>;
}

interface StructuredLayerChange {
  name: string;
  className: string;
  /** Units or filters before and after. */
  before: number;
  after: number;
  removed: number;
  sparsity: number;
}

interface StructuredPruneRecipe {
  method: "structured";
  sparsity: number;
  layerOverrides: Record<string, number>;
  /** Layers that lost units/filters. */
  layers: StructuredLayerChange[];
  /** Producers whose channels are tied together (Add, ...) and what was decided for them. */
  groups: GroupPlan[];
  /** Producers left alone, with why. */
  leftAlone: { layers: string[]; reasons: string[] }[];
  params: { before: number; after: number };
  /** Multiply-accumulates per inference (inspectModel). */
  macs: { before: number; after: number };
}

export interface StructuredPruneResult {
  model: tf.LayersModel;
  recipe: StructuredPruneRecipe;
}

interface LayerEntryJson {
  name?: string;
  class_name: string;
  config: Record<string, unknown> & { name?: string };
  inbound_nodes?: unknown[];
}

interface ModelJson {
  class_name: string;
  config: {
    layers: LayerEntryJson[];
    output_layers?: unknown[];
  };
}

function badParam(message: string): MlError {
  return new MlError("BAD_PARAM", message);
}

function checkSparsity(value: unknown, what: string, allowZero: boolean): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value >= 1 || value < 0 || (!allowZero && value === 0)) {
    const range = allowZero ? "0 ≤ value < 1" : "0 < value < 1";
    throw badParam(`${what} must be a number with ${range} (got ${JSON.stringify(value)})`);
  }
  return value;
}

function entryName(e: LayerEntryJson): string {
  return String(e.config.name ?? e.name);
}

function parseRef(raw: unknown): InboundRef {
  if (!Array.isArray(raw) || typeof raw[0] !== "string") {
    throw new MlError("NOT_A_LAYERS_MODEL", `cannot read an inbound node of the model config: ${JSON.stringify(raw)}`);
  }
  return { layer: raw[0], nodeIndex: Number(raw[1] ?? 0), tensorIndex: Number(raw[2] ?? 0) };
}

function outputShapeOf(model: tf.LayersModel, name: string): (number | null)[] | null {
  try {
    const shape = model.getLayer(name).outputShape;
    if (!Array.isArray(shape) || shape.some((d) => Array.isArray(d))) return null;
    return shape as (number | null)[];
  } catch {
    return null; // shared layers with different shapes per call
  }
}

/** The model's layers as the channel analysis wants them, in topological order. */
function layerSpecs(model: tf.LayersModel, json: ModelJson): { specs: LayerSpec[]; outputs: InboundRef[] } {
  const entries = json.config.layers;
  const specs: LayerSpec[] = [];
  if (json.class_name === "Sequential") {
    let prev: string | null = null;
    if (entries[0]?.class_name !== "InputLayer") {
      const input = model.inputs[0];
      if (!input) throw new MlError("NOT_A_LAYERS_MODEL", "the Sequential model has no input");
      prev = input.sourceLayer.name;
      specs.push({
        name: prev,
        className: "InputLayer",
        config: {},
        inbound: [],
        shared: false,
        outputShape: input.shape,
      });
    }
    for (const e of entries) {
      const name = entryName(e);
      const inbound = prev === null ? [] : [{ layer: prev, nodeIndex: 0, tensorIndex: 0 }];
      specs.push({
        name,
        className: e.class_name,
        config: e.config,
        inbound,
        shared: false,
        outputShape: outputShapeOf(model, name),
      });
      prev = name;
    }
    if (prev === null) throw new MlError("NOT_A_LAYERS_MODEL", "the Sequential model has no layers");
    return { specs, outputs: [{ layer: prev, nodeIndex: 0, tensorIndex: 0 }] };
  }
  for (const e of entries) {
    const name = entryName(e);
    const nodes = Array.isArray(e.inbound_nodes) ? e.inbound_nodes : [];
    const inbound = nodes.flatMap((node) => (Array.isArray(node) ? node.map(parseRef) : []));
    const outputShape = e.class_name === "InputLayer" ? model.getLayer(name).outputShape : outputShapeOf(model, name);
    specs.push({
      name,
      className: e.class_name,
      config: e.config,
      inbound,
      shared: nodes.length > 1,
      outputShape:
        Array.isArray(outputShape) && !outputShape.some((d) => Array.isArray(d))
          ? (outputShape as (number | null)[])
          : null,
    });
  }
  const outputs = (json.config.output_layers ?? []).map(parseRef);
  return { specs, outputs };
}

interface HostWeight extends HostTensor {
  readonly suffix: string;
}

function hostWeights(layer: tf.layers.Layer): HostWeight[] {
  return layer.weights.map((w) => ({
    suffix: w.originalName.slice(w.originalName.lastIndexOf("/") + 1),
    shape: w.shape as number[],
    values: new Float32Array(w.read().dataSync() as Float32Array),
  }));
}

function producerSize(spec: LayerSpec): number {
  const v = spec.className === "Dense" ? spec.config["units"] : spec.config["filters"];
  if (typeof v !== "number")
    throw new MlError("NOT_A_LAYERS_MODEL", `layer '${spec.name}' has no units/filters in its config`);
  return v;
}

/** L1 norm of each unit/filter's kernel. */
function unitL1(model: tf.LayersModel, name: string): Float64Array {
  const weights = hostWeights(model.getLayer(name));
  const kernel = weights.find((w) => w.suffix === "kernel") ?? weights.find((w) => w.suffix === "pointwise_kernel");
  if (!kernel) throw new MlError("NOT_A_LAYERS_MODEL", `layer '${name}' has no kernel weight`);
  return l1AlongAxis(kernel, kernel.shape.length - 1);
}

function repeatEach(channels: Channels, times: number): Channels {
  if (!channels) return null;
  const out = new Int32Array(channels.length * times);
  for (let c = 0; c < channels.length; c++) for (let j = 0; j < times; j++) out[c * times + j] = channels[c] as number;
  return out;
}

/** The weights of one layer after removing pruned inputs and units. */
function sliceLayerWeights(
  info: LayerChannels,
  config: Readonly<Record<string, unknown>>,
  weights: HostWeight[],
  removed: Uint8Array,
  keptOut: number[] | undefined,
): HostWeight[] {
  const keptIn = keptPositions(info.inputs[0] ?? null, removed);
  const cut = (w: HostWeight, axis: number, kept: number[] | null | undefined): HostWeight =>
    kept ? { ...takeAlongAxis(w, axis, kept), suffix: w.suffix } : w;
  return weights.map((w) => {
    const rank = w.shape.length;
    switch (info.className) {
      case "Dense":
      case "Conv1D":
      case "Conv2D":
        if (w.suffix === "kernel") return cut(cut(w, rank - 2, keptIn), rank - 1, keptOut);
        if (w.suffix === "bias") return cut(w, 0, keptOut);
        return w;
      case "SeparableConv2D": {
        if (w.suffix === "depthwise_kernel") return cut(w, 2, keptIn);
        if (w.suffix === "pointwise_kernel") {
          const m = Number(config["depth_multiplier"] ?? 1);
          return cut(cut(w, 2, keptPositions(repeatEach(info.inputs[0] ?? null, m), removed)), 3, keptOut);
        }
        if (w.suffix === "bias") return cut(w, 0, keptOut);
        return w;
      }
      case "DepthwiseConv2D":
        if (w.suffix === "depthwise_kernel") return cut(w, 2, keptIn);
        if (w.suffix === "bias") return cut(w, 0, keptPositions(info.output, removed));
        return w;
      case "BatchNormalization":
        return cut(w, 0, keptIn);
      default:
        return w;
    }
  });
}

/**
 * Removes the `sparsity` fraction of units/filters with the smallest L1 norm from every
 * prunable layer (never the output layer) and returns a new, smaller model plus a recipe.
 * The input model is left unchanged.
 */
export async function pruneStructured(
  model: tf.LayersModel,
  opts: StructuredPruneOptions,
): Promise<StructuredPruneResult> {
  if (!(model instanceof tf.LayersModel)) {
    throw new MlError("NOT_A_LAYERS_MODEL", "pruneStructured needs a tf.LayersModel");
  }
  if (opts === null || typeof opts !== "object") throw badParam("pruneStructured needs options { sparsity }");
  const sparsity = checkSparsity(opts.sparsity, "sparsity", false);
  const json = model.toJSON(null, false) as unknown as ModelJson;
  const { specs, outputs } = layerSpecs(model, json);
  const overrides = opts.layers ?? {};
  if (typeof overrides !== "object" || overrides === null)
    throw badParam("layers must be an object of layer name → sparsity");
  const producerNames = specs.filter((s) => isProducerClass(s.className)).map((s) => s.name);
  for (const [name, value] of Object.entries(overrides)) {
    if (!specs.some((s) => s.name === name)) {
      throw badParam(
        `layers: the model has no layer '${name}' (prunable layers: ${producerNames.join(", ") || "none"})`,
      );
    }
    if (!producerNames.includes(name)) {
      throw badParam(
        `layers: '${name}' is not a Dense/Conv1D/Conv2D/SeparableConv2D layer (prunable layers: ${producerNames.join(", ")})`,
      );
    }
    checkSparsity(value, `layers['${name}']`, true);
  }

  const graph = buildChannelGraph(specs, outputs, producerSize);
  const plan = planPruning(
    graph,
    (name) => overrides[name] ?? sparsity,
    (name) => unitL1(model, name),
  );

  const newJson = structuredClone(json);
  const changes: StructuredLayerChange[] = [];
  for (const entry of newJson.config.layers) {
    const name = entryName(entry);
    const kept = plan.keptUnits.get(name);
    if (!kept) continue;
    const key = entry.class_name === "Dense" ? "units" : "filters";
    const before = Number(entry.config[key]);
    entry.config[key] = kept.length;
    changes.push({
      name,
      className: entry.class_name,
      before,
      after: kept.length,
      removed: before - kept.length,
      sparsity: (before - kept.length) / before,
    });
  }

  const pruned = await tf.models.modelFromJSON({ modelTopology: newJson } as unknown as Parameters<
    typeof tf.models.modelFromJSON
  >[0]);
  try {
    for (const layer of model.layers) {
      if (layer.weights.length === 0) continue;
      const info = graph.layers.get(layer.name);
      const weights = hostWeights(layer);
      const sliced = info
        ? sliceLayerWeights(
            info,
            specs.find((s) => s.name === layer.name)?.config ?? {},
            weights,
            plan.removed,
            plan.keptUnits.get(layer.name),
          )
        : weights;
      const target = pruned.getLayer(layer.name);
      const expected = target.weights.map((w) => w.shape.join("x"));
      const got = sliced.map((w) => w.shape.join("x"));
      if (expected.join(",") !== got.join(",")) {
        throw new Error(
          `internal error: pruned weights of '${layer.name}' have shapes [${got}] but the new layer wants [${expected}]`,
        );
      }
      const tensors = sliced.map((w) => tf.tensor(w.values, [...w.shape], "float32"));
      try {
        target.setWeights(tensors);
      } finally {
        tf.dispose(tensors);
      }
    }
  } catch (e) {
    pruned.dispose();
    throw e;
  }

  const leftAlone = plan.groups
    .filter((g) => g.reasons.length > 0)
    .map((g) => ({ layers: g.layers, reasons: g.reasons }));
  return {
    model: pruned,
    recipe: {
      method: "structured",
      sparsity,
      layerOverrides: { ...overrides },
      layers: changes,
      groups: plan.groups,
      leftAlone,
      params: { before: model.countParams(), after: pruned.countParams() },
      macs: { before: inspectModel(model).macs, after: inspectModel(pruned).macs },
    },
  };
}
