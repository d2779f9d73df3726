// Public API of @costgate/formats: the rules of the files Costgate takes in (a TensorFlow.js
// LayersModel's model.json and weight files, a dataset CSV), in one place for the API that
// checks uploads and for @costgate/ml that loads them, so the two accept the same files. No
// TensorFlow.js, no database, queue or artifact store: node builtins only. Its tests import the
// modules directly; `npx knip` reports an export here that nothing outside uses.
export { translateFormatError } from "./format-error.ts";
export {
  DTYPE_BYTES,
  QUANTIZED_DTYPES,
  bytesPerValue,
  isQuantizedDtype,
  type QuantizedDtype,
  type StoredDtype,
} from "./dtypes.ts";
export { checkWeightSpec, weightSpecBytes } from "./weight-spec.ts";
export { checkGroupBytes, checkModelJson, parseModelJson, type CheckedModelJson } from "./model-json.ts";
export { checkRelativePath } from "./relative-path.ts";
export { LABEL_COLUMN, readCsvDataset } from "./csv-dataset.ts";
