import type { ImagePreprocessing } from "@costgate/formats";
import type {
  Agreement,
  ComparedCost,
  CostMeasurement,
  Evaluation,
  MeasureCostOptions,
  MlErrorCode,
  Task,
} from "@costgate/ml";
import type { ChainStep, StepOutput } from "../features/apply-step.ts";

/**
 * What the worker asks its TensorFlow child process to do, and what it answers. Messages go
 * over the child's IPC channel with the "advanced" (structured clone) serialization, so model
 * weights travel as ArrayBuffers. The child knows nothing of the database or the queues: it
 * reads model and dataset files by path and returns numbers and model files.
 */

/** Numbers a version's row stores about its model. */
export interface ModelFacts {
  parameterCount: number;
  nonZeroParameterCount: number;
  weightDtypes: string[];
  fileSizeBytes: number | null;
  weightStorageBytes: number;
  /** Units of the (first) output: a classifier's number of classes; null when not fixed. */
  outputUnits: number | null;
}

/** What a TensorFlow process needs to read a dataset's rows: a CSV's path, or an image dataset's decoded file. */
export interface DatasetRef {
  path: string;
  task: Task;
  /** Default csv. */
  format?: "csv" | "images";
  /** Images: scale, mean, std as registered. */
  preprocessing?: ImagePreprocessing | null;
}

/** A version's agreement with another (the source version of its job) on an UNLABELED dataset's inputs. */
interface AgreementRef {
  referenceModelJsonPath: string;
  inputs: DatasetRef;
}

/** A hardware profile's calibration of the speed reference on one backend (SpeedCalibration row). */
export interface SpeedCalibrationRef {
  id: string;
  backend: string;
  referenceThroughputPerSecond: number;
}

export interface Ops {
  /**
   * Inspects a model and evaluates it on a labelled dataset when one is given, else measures its
   * agreement with a reference model when asked.
   */
  evaluate: {
    args: { modelJsonPath: string; dataset: DatasetRef | null; agreement?: AgreementRef | null };
    result: { facts: ModelFacts; evaluation: Evaluation | Agreement | null };
  };
  /** Measures a model's cost; with a parent, both interleaved in one session and compared. */
  measure: {
    args: {
      modelJsonPath: string;
      parentModelJsonPath: string | null;
      settings: MeasureCostOptions;
      /** The profile's speed calibrations (one per backend): the child normalises to its backend's. */
      calibrations: SpeedCalibrationRef[];
    };
    result: { facts: ModelFacts; cost: CostMeasurement; paired: Omit<ComparedCost, "candidate"> | null };
  };
  /** Applies one policy step to a model and returns the new model's files. */
  applyStep: {
    args: {
      step: ChainStep;
      modelJsonPath: string;
      task: Task;
      train: DatasetRef | null;
      evaluation: DatasetRef | null;
      /** The model's UNLABELED dataset: DISTILL's inputs and calibration data when there is no labelled set. */
      unlabeled: DatasetRef | null;
      /** The job's source version (its id and files): DISTILL's teacher. */
      teacherVersionId: string;
      teacherModelJsonPath: string;
      maxAccuracyDrop: number;
      seed: number;
      /** FINE_TUNE and DISTILL start no batch after this time (ms since the epoch): a SEARCH's budget. */
      deadline?: number;
    };
    result: StepOutput;
  };
}
export type OpName = keyof Ops;

/** An error thrown in the child, as it crosses the process boundary. */
export interface WireError {
  message: string;
  /** Set for @costgate/ml's MlError: the model or data cannot be used (no retry helps). */
  mlCode?: MlErrorCode;
  /** The step stopped because it was aborted. */
  aborted?: boolean;
  /** The backend's memory is exhausted or broken (a wasm heap cannot shrink): only a new process helps. */
  memory?: boolean;
}

export type ToChild =
  | { type: "call"; id: number; op: OpName; args: unknown }
  | { type: "abort"; id: number }
  /** Close the compute gate: training and evaluation stop at their next batch until "resume". */
  | { type: "pause" }
  | { type: "resume" }
  | { type: "exit" };

export type FromChild =
  | { type: "ready"; backend: string }
  | { type: "result"; id: number; result: unknown }
  | { type: "error"; id: number; error: WireError }
  | { type: "progress"; id: number; fraction: number; stage: string }
  /** Every running computation is stopped at the gate (or none is running). */
  | { type: "paused" }
  /** Sent when the child falls idle: the bytes its TensorFlow backend holds (a wasm heap never shrinks). */
  | { type: "memory"; heapBytes: number };
