import type { PolicyStep } from "@costgate/core";
import {
  distill,
  fineTune,
  modelToArtifacts,
  pruneMagnitude,
  pruneStructured,
  quantizeAccuracyAware,
  quantizeArtifacts,
  type AnyDataset,
  type AnyInputSet,
  type Task,
  type tf,
} from "@costgate/ml";

export interface StepContext {
  task: Task;
  /** Loaded on first use; the caller disposes them. */
  trainDataset: () => Promise<AnyDataset>;
  /** Accuracy-aware quantization's data: a labelled set, else the UNLABELED one (by agreement). */
  calibrationData: () => Promise<{ role: "EVALUATION" | "TRAIN" | "UNLABELED"; data: AnyDataset | AnyInputSet }>;
  /** DISTILL's inputs: the TRAIN dataset's (labels unused), else the UNLABELED dataset's. */
  distillInputs: () => Promise<{ role: "TRAIN" | "UNLABELED"; inputs: AnyInputSet }>;
  /** Runs `use` with the job's source version loaded (DISTILL's teacher), disposing it after. */
  withTeacher: <T>(use: (teacher: tf.LayersModel) => Promise<T>) => Promise<T>;
  /** The job's source version id, recorded in DISTILL's recipe. */
  teacherVersionId: string;
  maxAccuracyDrop: number;
  signal: AbortSignal;
  /** Fraction (0..1) of this step done, and what it is doing. */
  onProgress: (fraction: number, stage: string) => void;
  seed: number;
  /** Training steps start no batch after this time (ms since the epoch): a SEARCH's time budget. */
  deadline?: number;
}

export interface StepOutput {
  source: "PRUNE" | "FINE_TUNE" | "QUANTIZE" | "DISTILL";
  artifacts: tf.io.ModelArtifacts;
  /** Exact parameters and what the step did. */
  recipe: Record<string, unknown>;
  cancelled: boolean;
}

/** A step that makes one version from one model (SEARCH runs these steps itself: features/search). */
export type ChainStep = Exclude<PolicyStep, { kind: "SEARCH" }>;

/** Applies one policy step to a model with packages/ml and returns the new model's files. */
export async function applyStep(step: ChainStep, model: tf.LayersModel, ctx: StepContext): Promise<StepOutput> {
  switch (step.kind) {
    case "PRUNE": {
      const { method, sparsity } = step.params;
      ctx.onProgress(0, `${method} pruning to ${Math.round(sparsity * 100)}%`);
      const result =
        method === "structured"
          ? await pruneStructured(model, { sparsity })
          : await pruneMagnitude(model, { sparsity });
      try {
        return {
          source: "PRUNE",
          artifacts: await modelToArtifacts(result.model),
          recipe: { kind: "PRUNE", params: step.params, result: result.recipe },
          cancelled: false,
        };
      } finally {
        if (result.model !== model) result.model.dispose();
      }
    }
    case "FINE_TUNE": {
      const { epochs, learningRate, batchSize, momentum } = step.params;
      const train = await ctx.trainDataset();
      // Weights that an earlier magnitude-pruning step zeroed stay zero.
      const result = await fineTune(model, train, {
        task: ctx.task,
        epochs,
        learningRate,
        batchSize,
        momentum: momentum ?? 0,
        seed: ctx.seed,
        preserveSparsity: true,
        signal: ctx.signal,
        deadline: ctx.deadline,
        onProgress: (p) =>
          ctx.onProgress(
            p.fraction,
            `fine-tuning: epoch ${p.epoch}/${p.epochs}, batch ${p.batch}/${p.batches}, loss ${p.loss.toFixed(4)}`,
          ),
      });
      return {
        source: "FINE_TUNE",
        artifacts: await modelToArtifacts(model),
        recipe: {
          kind: "FINE_TUNE",
          params: {
            ...step.params,
            momentum: momentum ?? 0,
            seed: ctx.seed,
            optimizer: (momentum ?? 0) > 0 ? "sgd+momentum" : "sgd",
          },
          result: {
            epochsRun: result.epochsRun,
            finalLoss: result.finalLoss,
            history: result.history,
            stoppedEarly: result.stoppedEarly,
            ...timeUp(result),
            trainRows: train.rows,
          },
        },
        cancelled: result.cancelled,
      };
    }
    case "QUANTIZE": {
      const { dtype, accuracyAware } = step.params;
      if (accuracyAware && dtype === "uint8") {
        ctx.onProgress(0, "accuracy-aware uint8 quantization: measuring tensor sensitivity");
        const calibration = await ctx.calibrationData();
        const result = await quantizeAccuracyAware(model, calibration.data, {
          task: ctx.task,
          dtype: "uint8",
          maxDrop: ctx.maxAccuracyDrop,
          signal: ctx.signal,
        });
        return {
          source: "QUANTIZE",
          artifacts: result.artifacts,
          recipe: {
            kind: "QUANTIZE",
            params: step.params,
            result: { ...result.recipe, calibrationDataset: calibration.role },
          },
          cancelled: ctx.signal.aborted,
        };
      }
      ctx.onProgress(0, `quantizing weights to ${dtype}`);
      const result = quantizeArtifacts(await modelToArtifacts(model), { dtype });
      return {
        source: "QUANTIZE",
        artifacts: result.artifacts,
        recipe: {
          kind: "QUANTIZE",
          params: {
            ...step.params,
            accuracyAware: accuracyAware ?? false,
            ...(accuracyAware ? { note: `accuracy-aware mode applies to uint8; ${dtype} is already 16-bit` } : {}),
          },
          result: { bytesBefore: result.bytesBefore, bytesAfter: result.bytesAfter, tensors: result.tensors },
        },
        cancelled: false,
      };
    }
    case "DISTILL": {
      const { epochs, learningRate, batchSize } = step.params;
      const temperature = step.params.temperature ?? 1;
      const { role, inputs } = await ctx.distillInputs();
      const result = await ctx.withTeacher((teacher) =>
        distill(model, teacher, inputs, {
          task: ctx.task,
          epochs,
          learningRate,
          batchSize,
          temperature,
          seed: ctx.seed,
          signal: ctx.signal,
          deadline: ctx.deadline,
          onProgress: (p) =>
            ctx.onProgress(
              p.fraction,
              `distilling from the source version: epoch ${p.epoch}/${p.epochs}, batch ${p.batch}/${p.batches}, loss ${p.loss.toFixed(4)}`,
            ),
        }),
      );
      return {
        source: "DISTILL",
        artifacts: await modelToArtifacts(model),
        recipe: {
          kind: "DISTILL",
          params: { ...step.params, temperature, seed: ctx.seed, optimizer: "sgd" },
          result: {
            teacherVersionId: ctx.teacherVersionId,
            temperature,
            epochs: result.epochsRun,
            rows: result.rows,
            inputsFrom: role,
            labelsUsed: false,
            loss: result.loss,
            finalLoss: result.finalLoss,
            history: result.history,
            ...timeUp(result),
          },
        },
        cancelled: result.cancelled,
      };
    }
  }
}

/** What a recipe says of a training the time budget cut short: the batches it ran (nothing when it ran in full). */
function timeUp(result: { timeUp: boolean; batchesRun: number }): { timeUp?: true; batchesRun?: number } {
  return result.timeUp ? { timeUp: true, batchesRun: result.batchesRun } : {};
}
