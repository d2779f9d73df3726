/**
 * The rules of a TensorFlow.js LayersModel's model.json, checked before TensorFlow.js is handed
 * it: by the API when it is uploaded and by @costgate/ml when it is loaded, so the two accept
 * exactly the same files.
 */
import { FormatError } from "./format-error.ts";
import { jsonErrorPosition } from "./json-error-position.ts";
import { isObject, show } from "./json-values.ts";
import { topologyProblem } from "./model-topology.ts";
import { checkRelativePath } from "./relative-path.ts";
import { checkWeightSpec, type CheckedWeight } from "./weight-spec.ts";

/** One group of the weightsManifest, checked. */
export interface ManifestGroup {
  /** Its weight files in manifest order, normalised (a leading "./" dropped). */
  paths: string[];
  weights: CheckedWeight[];
  /** Bytes its weight files hold together: the sum of its weights' bytes. */
  bytes: number;
}

/** A model.json that keeps every rule, with what its checking learned. */
export interface CheckedModelJson {
  /** The model.json object itself. */
  json: Record<string, unknown>;
  groups: ManifestGroup[];
  /** Every weight, in manifest order. */
  weights: CheckedWeight[];
  /** Number of weight values (all weights, trainable or not). */
  parameterCount: number;
  /** Bytes of weight data as stored. */
  weightBytes: number;
}

/**
 * Parses the text of a model.json; `source` names the file in messages. Refused: a byte-order
 * mark, text that is not JSON (saying at which line and column), JSON that is not an object.
 */
export function parseModelJson(text: string, source = "model.json"): Record<string, unknown> {
  if (text.charCodeAt(0) === 0xfeff) throw bad(`${source} starts with a byte-order mark; save it as UTF-8 without one`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const pos = jsonErrorPosition(text);
    const where = pos ? ` at line ${pos.line}, column ${pos.column} (character ${pos.offset})` : "";
    throw bad(`${source} is not valid JSON${where}: ${(e as Error).message}`);
  }
  return checkIsObject(json, source);
}

/**
 * Checks a parsed model.json; `source` is its file name (messages start with it). The rules:
 * - format "layers-model" or none; a graph model is refused saying how to get a LayersModel;
 * - a modelTopology object that keeps the topology rules (model-topology.ts);
 * - a weightsManifest array of groups, each with `paths` and `weights` arrays; every path is a
 *   safe relative path (relative-path.ts), named once, never model.json itself; `paths` may be
 *   empty only when the group's weights need no bytes (what @costgate/ml writes for a model
 *   without weights);
 * - every weight keeps the weight rules (weight-spec.ts), and all of them add up to a number of
 *   values and bytes that can be counted exactly.
 * Throws a FormatError (BAD_MODEL_JSON, BAD_PATH) saying what and where; pure, reads no file.
 */
export function checkModelJson(value: unknown, source = "model.json"): CheckedModelJson {
  const json = checkIsObject(value, source);
  const { format, modelTopology, weightsManifest } = json;
  if (
    format === "graph-model" ||
    (format === undefined && isObject(modelTopology) && Array.isArray(modelTopology.node))
  ) {
    throw bad(
      `${source} is a TensorFlow.js graph model; Costgate needs a TensorFlow.js LayersModel (format "layers-model"): ` +
        "save it from a tf.LayersModel with model.save(), or convert it with tensorflowjs_converter --output_format=tfjs_layers_model",
    );
  }
  if (format !== undefined && format !== "layers-model") {
    throw bad(
      `${source} has format ${show(format)}; Costgate needs a TensorFlow.js LayersModel (format "layers-model")`,
    );
  }
  if (!isObject(modelTopology)) {
    throw bad(
      `${source} has no modelTopology object (got ${show(modelTopology)}); is this a TensorFlow.js LayersModel's model.json?`,
    );
  }
  if (!Array.isArray(weightsManifest)) {
    throw bad(`${source} has no weightsManifest array (got ${show(weightsManifest)})`);
  }

  const groups: ManifestGroup[] = [];
  const weights: CheckedWeight[] = [];
  const named = new Map<string, string>(); // normalised path -> where it is named
  let parameterCount = 0;
  let weightBytes = 0;
  weightsManifest.forEach((group: unknown, g: number) => {
    const place = `weightsManifest[${g}]`;
    const at = `${source} ${place}`;
    if (!isObject(group)) throw bad(`${at} must be an object with paths and weights`);
    if (!Array.isArray(group.paths)) {
      throw bad(`${at}.paths must be an array of weight file names (got ${show(group.paths)})`);
    }
    if (!Array.isArray(group.weights)) throw bad(`${at}.weights must be an array (got ${show(group.weights)})`);

    const paths = group.paths.map((p: unknown, k: number) => {
      const where = `${place}.paths[${k}]`;
      if (typeof p !== "string") throw bad(`${source} ${where} must be a string (got ${show(p)})`);
      const path = checkRelativePath(p, `${source} ${where}`);
      if (path === source) throw bad(`${source} ${where} names ${source} itself as a weight file`);
      const earlier = named.get(path);
      if (earlier) throw bad(`${source} names weight file "${path}" twice (${earlier} and ${where})`);
      named.set(path, where);
      return path;
    });
    const checked = group.weights.map((w: unknown, k: number) => checkWeightSpec(w, `${at}.weights[${k}]`));
    const bytes = checked.reduce((sum, w) => sum + w.bytes, 0);
    if (paths.length === 0 && bytes > 0) {
      throw bad(`${at}.paths is empty, but its ${checked.length} weights need ${bytes} bytes: name their weight files`);
    }
    weights.push(...checked);
    parameterCount += checked.reduce((sum, w) => sum + w.count, 0);
    weightBytes += bytes;
    groups.push({ paths, weights: checked, bytes });
  });
  if (!Number.isSafeInteger(parameterCount) || !Number.isSafeInteger(weightBytes)) {
    throw bad(`${source}'s weight shapes add up to more values than can be stored`);
  }
  const topology = topologyProblem(modelTopology);
  if (topology) throw bad(`${source}: ${topology}`);
  return { json, groups, weights, parameterCount, weightBytes };
}

/**
 * Checks that the weight files of group `g` hold `got` bytes together, exactly what its weights
 * need; throws a FormatError (WEIGHTS_MISMATCH) naming the group and its files otherwise.
 */
export function checkGroupBytes(group: ManifestGroup, g: number, got: number): void {
  if (got === group.bytes) return;
  const fileList = group.paths.map((p) => `"${p}"`).join(", ");
  throw new FormatError(
    "WEIGHTS_MISMATCH",
    `weight files of weightsManifest[${g}] (${fileList}) hold ${got} bytes, but its ${group.weights.length} weights need exactly ${group.bytes} bytes ` +
      `(sum of shape size x bytes per stored dtype): expected ${group.bytes}, got ${got}`,
  );
}

function checkIsObject(json: unknown, source: string): Record<string, unknown> {
  if (!isObject(json)) {
    throw bad(
      `${source} must be a JSON object with modelTopology and weightsManifest (got ${Array.isArray(json) ? "an array" : show(json)})`,
    );
  }
  return json;
}

function bad(message: string): FormatError {
  return new FormatError("BAD_MODEL_JSON", message);
}
