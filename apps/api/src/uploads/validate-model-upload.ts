import { badInput } from "@costgate/core";
import { MODEL_JSON_FILE, modelFileOrder } from "@costgate/artifacts";
import { checkGroupBytes, checkModelJson, parseModelJson } from "@costgate/formats";
import { asBadInput } from "./format-refusal.ts";

/** A file as received: its path inside the upload and its size. */
export interface UploadedFile {
  path: string;
  sizeBytes: number;
}

interface WeightInfo {
  name: string;
  shape: number[];
  /** The dtype the weight has once loaded (float32, int32, bool). */
  dtype: string;
  /** The dtype its bytes are stored as: the quantization dtype when quantized, else dtype. */
  storedDtype: string;
}

/** What validation learned about a model; kept as Artifact.metadata. */
export interface ModelUploadMetadata {
  format: "layers-model";
  weights: WeightInfo[];
  /** Number of weight values (all weights, trainable or not). */
  parameterCount: number;
  /** Bytes of weight data as stored. */
  weightBytes: number;
  /** The artifact's files in canonical order: model.json, then the weight files in manifest order. */
  files: string[];
}

/**
 * Validates a TensorFlow.js LayersModel upload before it is stored: `modelJsonText` is the
 * text of model.json, `files` every file of the upload (model.json included). model.json keeps
 * the rules of @costgate/formats (the ones @costgate/ml loads by), the upload is exactly
 * model.json and the weight files it names, each group's files of the right byte length.
 * Throws BAD_USER_INPUT saying exactly what is wrong; returns the metadata otherwise. Pure.
 */
export function validateModelUpload(modelJsonText: string, files: readonly UploadedFile[]): ModelUploadMetadata {
  const model = asBadInput(() => checkModelJson(parseModelJson(modelJsonText, MODEL_JSON_FILE), MODEL_JSON_FILE));
  const { groups } = model;
  const named = new Map(
    groups.flatMap((group, g) => group.paths.map((p, k) => [p, `weightsManifest[${g}].paths[${k}]`])),
  );

  // The upload must be exactly model.json plus the files the manifest names.
  const sizes = new Map(files.map((f) => [f.path, f.sizeBytes]));
  if (!sizes.has(MODEL_JSON_FILE)) throw badInput("the upload has no model.json");
  for (const [path, where] of named) {
    if (!sizes.has(path))
      throw badInput(`weight file "${path}" named by model.json (${where}) is missing from the upload`);
  }
  for (const f of files) {
    if (f.path !== MODEL_JSON_FILE && !named.has(f.path)) {
      throw badInput(
        `file "${f.path}" is not named by model.json's weightsManifest; upload only model.json and its weight files`,
      );
    }
  }
  groups.forEach((group, g) => {
    const got = group.paths.reduce((sum, p) => sum + (sizes.get(p) ?? 0), 0);
    asBadInput(() => checkGroupBytes(group, g, got));
  });

  return {
    format: "layers-model",
    weights: model.weights.map(({ name, shape, dtype, storedDtype }) => ({ name, shape, dtype, storedDtype })),
    parameterCount: model.parameterCount,
    weightBytes: model.weightBytes,
    files: modelFileOrder({ weightsManifest: groups }),
  };
}
