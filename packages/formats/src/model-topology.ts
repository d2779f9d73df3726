// Checks of a LayersModel's modelTopology before TensorFlow.js is handed it: bounded nesting and
// size, and only layer classes tfjs-layers provides. The upload and the loader both apply them.

import { isObject } from "./json-values.ts";

export const TOPOLOGY_LIMITS = { maxDepth: 64, maxLayers: 5_000, maxNodes: 1_000_000 };

/** Layer classes TensorFlow.js LayersModels can deserialize (tfjs-layers 4.x), and nested models. */
const MODEL_CLASSES = new Set(["Sequential", "Model", "Functional"]);
const LAYER_CLASSES = new Set([
  "InputLayer",
  "Dense",
  "Flatten",
  "Reshape",
  "Permute",
  "RepeatVector",
  "Activation",
  "Dropout",
  "SpatialDropout1D",
  "GaussianNoise",
  "GaussianDropout",
  "AlphaDropout",
  "Masking",
  "Embedding",
  "Conv1D",
  "Conv2D",
  "Conv2DTranspose",
  "Conv3D",
  "Conv3DTranspose",
  "SeparableConv2D",
  "DepthwiseConv2D",
  "ConvLSTM2D",
  "Cropping2D",
  "UpSampling2D",
  "ZeroPadding2D",
  "MaxPooling1D",
  "MaxPooling2D",
  "MaxPooling3D",
  "AveragePooling1D",
  "AveragePooling2D",
  "AveragePooling3D",
  "GlobalAveragePooling1D",
  "GlobalAveragePooling2D",
  "GlobalMaxPooling1D",
  "GlobalMaxPooling2D",
  "BatchNormalization",
  "LayerNormalization",
  "ReLU",
  "LeakyReLU",
  "PReLU",
  "ELU",
  "ThresholdedReLU",
  "Softmax",
  "Add",
  "Subtract",
  "Multiply",
  "Average",
  "Maximum",
  "Minimum",
  "Concatenate",
  "Dot",
  "SimpleRNN",
  "GRU",
  "LSTM",
  "RNN",
  "SimpleRNNCell",
  "GRUCell",
  "LSTMCell",
  "StackedRNNCells",
  "Bidirectional",
  "TimeDistributed",
  "Rescaling",
  "CenterCrop",
  "Resizing",
  "CategoryEncoding",
  "RandomWidth",
  "ActivityRegularization",
  "SpatialDropout2D",
]);

/** The deepest nesting and the number of JSON values, without recursion (a deep bomb cannot overflow the stack). */
function measure(value: unknown): { depth: number; nodes: number } {
  let depth = 0;
  let nodes = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    nodes++;
    if (d > depth) depth = d;
    if (depth > TOPOLOGY_LIMITS.maxDepth || nodes > TOPOLOGY_LIMITS.maxNodes) break;
    if (Array.isArray(v)) for (const x of v) stack.push([x, d + 1]);
    else if (isObject(v)) for (const x of Object.values(v)) stack.push([x, d + 1]);
  }
  return { depth, nodes };
}

/** Why modelTopology cannot be a LayersModel Costgate runs, or null. */
export function topologyProblem(topology: unknown): string | null {
  const { depth, nodes } = measure(topology);
  if (depth > TOPOLOGY_LIMITS.maxDepth)
    return `modelTopology is nested more than ${TOPOLOGY_LIMITS.maxDepth} levels deep`;
  if (nodes > TOPOLOGY_LIMITS.maxNodes) return `modelTopology has more than ${TOPOLOGY_LIMITS.maxNodes} JSON values`;
  let layerCount = 0;
  const checkModel = (model: unknown, at: string): string | null => {
    if (!isObject(model) || typeof model.class_name !== "string" || !MODEL_CLASSES.has(model.class_name)) {
      return `${at}.class_name must be Sequential, Model or Functional (got ${JSON.stringify(isObject(model) ? model.class_name : model)})`;
    }
    const config = model.config;
    const layers = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
    if (!Array.isArray(layers)) return `${at}.config has no layers array`;
    for (const [i, layer] of layers.entries()) {
      const where = `${at}.layers[${i}]`;
      if (++layerCount > TOPOLOGY_LIMITS.maxLayers)
        return `modelTopology has more than ${TOPOLOGY_LIMITS.maxLayers} layers; the limit is ${TOPOLOGY_LIMITS.maxLayers}`;
      if (!isObject(layer) || typeof layer.class_name !== "string")
        return `${where} must be an object with a class_name`;
      if (MODEL_CLASSES.has(layer.class_name)) {
        const nested = checkModel(layer, where);
        if (nested) return nested;
      } else if (!LAYER_CLASSES.has(layer.class_name)) {
        return `${where} has class_name ${JSON.stringify(layer.class_name)}, which TensorFlow.js LayersModels do not provide`;
      }
    }
    return null;
  };
  // tensorflowjs_converter wraps a Keras model as { keras_version, backend, model_config }; tfjs
  // loads the model inside (tfjs-layers models.ts), so the rules apply to that model.
  if (isObject(topology) && isObject(topology.model_config))
    return checkModel(topology.model_config, "modelTopology.model_config");
  return checkModel(topology, "modelTopology");
}
