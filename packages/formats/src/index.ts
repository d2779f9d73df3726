// Public API of @costgate/formats: the rules of the files Costgate takes in (a TensorFlow.js
// LayersModel's model.json and weight files, a dataset CSV), in one place for the API that
// accepts uploads and for @costgate/ml that loads them. No TensorFlow.js, no database, queue or
// artifact store: node builtins only.
export { FormatError, isFormatError, translateFormatError, type FormatErrorCode } from "./format-error.ts";
export {
  DTYPE_BYTES,
  QUANTIZED_DTYPES,
  WEIGHT_DTYPES,
  bytesPerValue,
  isQuantizedDtype,
  isWeightDtype,
  type QuantizedDtype,
  type StoredDtype,
  type WeightDtype,
} from "./dtypes.ts";
export { checkWeightSpec, storedDtypeOf, weightSpecBytes, type CheckedWeight, type WeightSpec } from "./weight-spec.ts";
export {
  checkGroupBytes,
  checkModelJson,
  parseModelJson,
  type CheckedModelJson,
  type ManifestGroup,
} from "./model-json.ts";
export { TOPOLOGY_LIMITS, topologyProblem } from "./model-topology.ts";
export { checkRelativePath } from "./relative-path.ts";
export { jsonErrorPosition } from "./json-error-position.ts";
export {
  BYTES_PER_CELL,
  DEFAULT_CSV_LIMITS,
  LABEL_COLUMN,
  checkCsvHeader,
  csvRowValues,
  readCsvDataset,
  splitCsvLine,
  type CsvHeader,
  type CsvLimits,
  type ReadCsvOptions,
} from "./csv-dataset.ts";
