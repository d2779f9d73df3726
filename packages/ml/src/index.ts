// Public API of @costgate/ml. Core (engine, IO, data, training, cost) first; pruning and
// quantization exports are appended below by their owners.
export { tf } from './tf.ts';
export { MlError, isMlError, describeError, type MlErrorCode } from './errors.ts';
export {
  initBackend,
  currentBackend,
  tfjsNodeUnavailableReason,
  BACKEND_NAMES,
  type BackendName,
  type InitBackendOptions,
} from './backend.ts';
export {
  registerWasmGradients,
  WASM_GRADIENT_KERNELS,
  WASM_REPLACED_KERNELS,
  conv2dFilterGradient,
  conv2dInputGradient,
  depthwiseFilterGradient,
  depthwiseInputGradient,
} from './wasm-gradients.ts';
export { createRandom, shuffledIndices, toSeed, type Random } from './random.ts';
export {
  loadModel,
  saveModel,
  readModelArtifacts,
  readModelJson,
  writeModelArtifacts,
  modelFromArtifacts,
  fileSystemIO,
  modelFileSize,
  validateModelJson,
  weightEntryBytes,
  storageDtype,
  MODEL_JSON,
  DEFAULT_SHARD_SIZE_BYTES,
  type SavedFile,
  type SavedModelFiles,
  type WriteOptions,
} from './model-io.ts';
export {
  loadCsvDataset,
  datasetFromArrays,
  splitDataset,
  disposeDataset,
  writeCsvDataset,
  modelInputShape,
  LABEL_COLUMN,
  type Dataset,
  type Task,
  type LoadCsvOptions,
} from './dataset.ts';
export { evaluateModel, type Evaluation, type EvaluateOptions } from './evaluate.ts';
export {
  fineTune,
  type FineTuneOptions,
  type FineTuneProgress,
  type FineTuneResult,
  type EpochRecord,
} from './finetune.ts';
export {
  inspectModel,
  type ModelInspection,
  type LayerInspection,
  type WeightInspection,
  type InspectOptions,
  type StorageDtype,
} from './inspect.ts';
export { setComputeGate } from './yield-to-host.ts';
export { cpuProbeMs } from './machine-load.ts';
export {
  measureCost,
  compareCost,
  meanInterval,
  t95,
  type CostComparison,
  type ComparedCost,
  costPerMillion,
  parseUsd,
  percentile,
  latencyStats,
  coefficientOfVariation,
  type MeasureCostOptions,
  type CostMeasurement,
  type LatencyStats,
} from './measure-cost.ts';
export { describeOutput, metricName, isBetter, type OutputInfo } from './task-loss.ts';
export {
  REFERENCE_MODELS,
  REFERENCE_DIR,
  DEFAULT_REFERENCE_SEED,
  TRAINING as REFERENCE_TRAINING,
  buildReferenceModel,
  referenceDescriptor,
  referencePaths,
  referenceData,
  referenceDataset,
  trainReferenceModel,
  type ReferenceModelName,
  type AnyReferenceModelName,
  type ReferenceModelDescriptor,
  type TrainedReference,
} from './reference/reference-models.ts';
export {
  generateReferenceModels,
  ensureReferenceModels,
  readReferenceManifest,
  type ReferenceManifest,
  type GeneratedReference,
  type GenerateOptions,
} from './reference/generate.ts';
export { renderDigit, DIGIT_SIZE } from './reference/digit-glyphs.ts';
export { encodeGreyPng, tileImages } from './reference/png.ts';

// Pruning, quantization and the CLI (ML-B).
export {
  pruneMagnitude,
  zeroSmallest,
  isKernelWeight,
  type MagnitudePruneOptions,
  type MagnitudePruneRecipe,
  type MagnitudePruneResult,
  type MagnitudeLayerResult,
  type MagnitudeScope,
} from './prune-magnitude.ts';
export {
  pruneStructured,
  type StructuredPruneOptions,
  type StructuredPruneRecipe,
  type StructuredPruneResult,
  type StructuredLayerChange,
} from './prune-structured.ts';
export type { GroupPlan } from './prune-structured-graph.ts';
export {
  quantizeModel,
  quantizeModelDetailed,
  quantizeArtifacts,
  modelToArtifacts,
  readWeightEntries,
  type QuantizeOptions,
  type QuantizeResult,
  type QuantizedTensorInfo,
  type QuantizedDtype,
  type TensorStorage,
  type WeightEntry,
} from './quantize.ts';
export {
  quantizeAccuracyAware,
  metricDrop,
  type AccuracyAwareOptions,
  type AccuracyAwareRecipe,
  type AccuracyAwareResult,
  type TensorSensitivity,
} from './quantize-accuracy-aware.ts';
export {
  quantizeAffine,
  dequantizeAffine,
  encodeFloat16,
  decodeFloat16,
  float32ToFloat16Bits,
  float16BitsToFloat32,
  QUANTIZED_DTYPES,
} from './quantize-codec.ts';
export { cloneModel } from './clone-model.ts';
export { runCli, type CliIO } from './cli.ts';
