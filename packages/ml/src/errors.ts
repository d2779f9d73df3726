import { translateFormatError } from "@costgate/formats";

/**
 * Machine-readable reasons an @costgate/ml call refuses its input.
 *
 * - NOT_A_LAYERS_MODEL: model.json is not JSON, not a tfjs LayersModel (graph model, no
 *   modelTopology, bad weightsManifest, weight path outside its directory), or tfjs refused it.
 *   The model.json and CSV rules are @costgate/formats' (the ones the API checks uploads by);
 *   `formatChecked` gives its refusals these codes.
 * - MODEL_FILE_MISSING: model.json or a weight shard it names does not exist.
 * - WEIGHTS_MISMATCH: weight bytes do not match what the manifest describes (short/long shard).
 * - BAD_DATASET: a CSV/dataset is malformed or does not fit the model.
 * - BAD_PARAM: an option is out of range or of the wrong kind.
 * - BACKEND_UNAVAILABLE: the requested tfjs backend cannot start.
 * - IO_ERROR: the file system refused a read or write.
 */
export type MlErrorCode =
  | "NOT_A_LAYERS_MODEL"
  | "MODEL_FILE_MISSING"
  | "WEIGHTS_MISMATCH"
  | "BAD_DATASET"
  | "BAD_PARAM"
  | "BACKEND_UNAVAILABLE"
  | "IO_ERROR";

/** An error whose message says what was wrong, with a stable `code` for callers. */
export class MlError extends Error {
  readonly code: MlErrorCode;

  constructor(code: MlErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MlError";
    this.code = code;
  }
}

export function isMlError(e: unknown, code?: MlErrorCode): e is MlError {
  return e instanceof MlError && (code === undefined || e.code === code);
}

/** The first line of an unknown thrown value, for wrapping third-party errors. */
export function describeError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0] ?? msg;
}

/**
 * Runs a check of @costgate/formats (sync or async), throwing its refusal as an MlError with the
 * same message after `prefix` (e.g. the file's path): BAD_CSV and BAD_IMAGE_TENSORS are BAD_DATASET,
 * BAD_PREPROCESSING is BAD_PARAM, WEIGHTS_MISMATCH stays, the rest (model.json and its paths) is
 * NOT_A_LAYERS_MODEL. Other errors pass through.
 */
export function formatChecked<T>(check: () => T, prefix = ""): T {
  return translateFormatError(check, (e) => {
    const code: MlErrorCode =
      e.code === "BAD_CSV" || e.code === "BAD_IMAGE_TENSORS"
        ? "BAD_DATASET"
        : e.code === "BAD_PREPROCESSING"
          ? "BAD_PARAM"
          : e.code === "WEIGHTS_MISMATCH"
            ? "WEIGHTS_MISMATCH"
            : "NOT_A_LAYERS_MODEL";
    return new MlError(code, `${prefix}${e.message}`, { cause: e });
  });
}
