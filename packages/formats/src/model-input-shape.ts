/**
 * A LayersModel's input shape (batch dimension dropped) read from its model.json topology,
 * without TensorFlow.js: what the API resizes an image dataset to. Sequential models: the first
 * layer's batch_input_shape (or batchInputShape); functional models: their one input layer's.
 * Null when the topology does not say (several inputs, a free dimension, no shape written).
 */
import { isObject } from "./json-values.ts";

export function modelInputShape(modelJson: unknown): number[] | null {
  if (!isObject(modelJson)) return null;
  let topology = modelJson.modelTopology;
  if (isObject(topology) && isObject(topology.model_config)) topology = topology.model_config;
  if (!isObject(topology)) return null;
  const config = topology.config;
  const layers = Array.isArray(config) ? config : isObject(config) ? config.layers : null;
  if (!Array.isArray(layers) || layers.length === 0) return null;
  let layer: unknown = layers[0];
  const inputs = isObject(config) ? config.input_layers : undefined;
  if (Array.isArray(inputs)) {
    if (inputs.length !== 1 || !Array.isArray(inputs[0])) return null;
    const name = inputs[0][0];
    layer = layers.find((l) => isObject(l) && (l.name === name || (isObject(l.config) && l.config.name === name)));
  }
  if (!isObject(layer) || !isObject(layer.config)) return null;
  const shape = layer.config.batch_input_shape ?? layer.config.batchInputShape;
  if (!Array.isArray(shape) || shape.length < 2) return null;
  const dims = shape.slice(1);
  return dims.every((d) => Number.isInteger(d) && (d as number) > 0) ? (dims as number[]) : null;
}
