/**
 * Why a model.json, a weight file or a dataset CSV breaks a format rule. The message says what is
 * wrong and where (the file, the line and column, the weight's name); callers keep it as it is
 * and choose their own error type by `code` (the API answers BAD_USER_INPUT, @costgate/ml maps
 * it to its MlError codes).
 *
 * - BAD_MODEL_JSON: model.json is not JSON or not a TensorFlow.js LayersModel's model.json.
 * - WEIGHTS_MISMATCH: weight files do not hold the bytes the manifest's weights need.
 * - BAD_PATH: a path (named by model.json, or a file of an upload) is not a safe relative path.
 * - BAD_CSV: a dataset CSV breaks a rule (header, label column, cells, rows).
 * - BAD_FILE_TYPE: a file's bytes are not what it must be (a PNG where a CSV is expected).
 * - BAD_ARCHIVE: an image archive breaks a rule (layout, paths, links, limits, labels.csv).
 * - BAD_PREPROCESSING: image preprocessing settings that cannot apply (mean/std lengths, std <= 0).
 * - BAD_IMAGE_TENSORS: a decoded image dataset file is not what its header says.
 */
export type FormatErrorCode =
  | "BAD_MODEL_JSON"
  | "WEIGHTS_MISMATCH"
  | "BAD_PATH"
  | "BAD_CSV"
  | "BAD_FILE_TYPE"
  | "BAD_ARCHIVE"
  | "BAD_PREPROCESSING"
  | "BAD_IMAGE_TENSORS";

export class FormatError extends Error {
  readonly code: FormatErrorCode;

  constructor(code: FormatErrorCode, message: string) {
    super(message);
    this.name = "FormatError";
    this.code = code;
  }
}

function isFormatError(e: unknown): e is FormatError {
  return e instanceof FormatError;
}

/**
 * Runs `check` (sync or async); a FormatError it throws is thrown as `as(e)` instead, so each
 * caller answers a broken rule with its own error type. Anything else passes through.
 */
export function translateFormatError<T>(check: () => T, as: (e: FormatError) => unknown): T {
  const translate = (e: unknown): never => {
    throw isFormatError(e) ? as(e) : e;
  };
  let result: T;
  try {
    result = check();
  } catch (e) {
    return translate(e);
  }
  return result instanceof Promise ? (result.catch(translate) as T) : result;
}
