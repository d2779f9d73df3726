// Public API of @costgate/ml: what the apps, the e2e suite and the benchmarks use. Everything
// else is internal to the package (its tests import the modules directly); `npx knip` reports
// an export here that nothing outside uses.
export { tf } from "./tf.ts";
export { MlError, isMlError, type MlErrorCode } from "./errors.ts";
export { backendHeapBytes, initBackend, isBackendMemoryFailure } from "./backend.ts";
export { loadModel, writeModelArtifacts } from "./model-io.ts";
export {
  loadCsvDataset,
  loadCsvInputs,
  disposeDataset,
  modelInputShape,
  type AnyDataset,
  type AnyInputSet,
  type Task,
} from "./dataset.ts";
export { loadImageDataset, loadImageInputs } from "./image-dataset.ts";
export { evaluateModel, type Evaluation } from "./evaluate.ts";
export { fineTune } from "./finetune.ts";
export { distill } from "./distill.ts";
export { agreementWith, type Agreement } from "./agreement.ts";
export { inspectModel } from "./inspect.ts";
export {
  measureCost,
  compareCost,
  type CostMeasurement,
  type ComparedCost,
  type MeasureCostOptions,
} from "./measure-cost.ts";
export { REFERENCE_WORKLOAD } from "./speed-reference.ts";
export { setComputeGate } from "./yield-to-host.ts";
export { cpuProbeMs } from "./machine-load.ts";
export type { AnyReferenceModelName } from "./reference/reference-models.ts";
export { ensureReferenceModels } from "./reference/generate.ts";
export { writeShapeImageZip } from "./reference/image-zip.ts";
export { pruneMagnitude } from "./prune-magnitude.ts";
export { pruneStructured } from "./prune-structured.ts";
export { quantizeArtifacts, modelToArtifacts } from "./quantize.ts";
export { quantizeAccuracyAware } from "./quantize-accuracy-aware.ts";
