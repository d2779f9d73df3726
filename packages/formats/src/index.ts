// Public API of @costgate/formats: the rules of the files Costgate takes in (a TensorFlow.js
// LayersModel's model.json and weight files, a dataset CSV, an image archive and its decoded form), in one place for the API that
// checks uploads and for @costgate/ml that loads them, so the two accept the same files. No
// TensorFlow.js, no database, queue or artifact store: node builtins only. Its tests import the
// modules directly; `npx knip` reports an export here that nothing outside uses.
export { FormatError, translateFormatError } from "./format-error.ts";
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
export { SNIFF_BYTES, datasetFileKind } from "./file-type.ts";
export {
  ArchiveBudget,
  DEFAULT_ARCHIVE_LIMITS,
  MAX_LABELS_CSV_BYTES,
  checkArchiveEntry,
  checkImageDimensions,
  checkImageFile,
  classIndices,
  planImageArchive,
  readLabelsCsv,
  type ArchiveEntryType,
  type ArchiveLimits,
  type ImageArchiveLayout,
  type ImageArchivePlan,
} from "./image-archive.ts";
export {
  IMAGE_TENSORS_FILE,
  IMAGE_TENSORS_HEADER_BYTES,
  decodeImageTensorsHeader,
  encodeImageTensorsHeader,
  imageRowBytes,
  labelsOffset,
  type ImageTensorsHeader,
} from "./image-tensors.ts";
export {
  applyPixelTable,
  checkImagePreprocessing,
  pixelTable,
  type ImagePreprocessing,
} from "./image-preprocessing.ts";
export { modelInputShape } from "./model-input-shape.ts";
export { FOCUS_COLUMNS, spendExportHeader, spendExportLine, type SpendExportRow } from "./spend-export.ts";
